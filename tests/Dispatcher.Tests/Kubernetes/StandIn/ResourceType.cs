namespace Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

/// <summary>A kind the stand-in serves, by the plural of its URL; custom resources have a status subresource and a generation.</summary>
internal sealed record ResourceType(string Group, string Version, string Kind, bool IsCustom)
{
    /// <summary>Everything the dispatcher reads or writes: its two CRDs, token secrets, the leader lease, events.</summary>
    public static IReadOnlyDictionary<string, ResourceType> ByPlural { get; } = new Dictionary<string, ResourceType>
    {
        ["arkevents"] = new("arkonis.dev", "v1alpha1", "ArkEvent", IsCustom: true),
        ["arkflows"] = new("arkonis.dev", "v1alpha1", "ArkFlow", IsCustom: true),
        ["secrets"] = new("", "v1", "Secret", IsCustom: false),
        ["leases"] = new("coordination.k8s.io", "v1", "Lease", IsCustom: false),
        ["events"] = new("events.k8s.io", "v1", "Event", IsCustom: false),
    };

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string GroupResource(string plural) => Group.Length == 0 ? plural : $"{plural}.{Group}";
}
