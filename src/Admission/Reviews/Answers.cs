using Arkonis.Model.Resources;

namespace Arkonis.Admission.Reviews;

/// <summary>Answers and request facts both webhooks share.</summary>
internal static class Answers
{
    /// <summary>
    /// kube-apiserver passes a warning through whole up to 256 characters (its per-warning truncation unit); 120 is
    /// only its advice to authors. Cutting at 120 would drop the end of the model's own advice (the daylight-saving
    /// warning runs to ~150), so only text that the apiserver could cut anyway is shortened here, with an ellipsis.
    /// </summary>
    public const int MaxWarningLength = 256;

    public static bool IsArkEvent(AdmissionRequest request) =>
        request.Kind is { Group: ArkEvent.Group, Kind: ArkEvent.KindName };

    /// <summary>Only CREATE and UPDATE carry an object to check; DELETE and CONNECT are always allowed.</summary>
    public static bool HasObjectToCheck(AdmissionRequest request) =>
        request.Operation is "CREATE" or "UPDATE";

    /// <summary>A review for another kind means the webhook rules are wrong; never block unrelated resources.</summary>
    public static AdmissionResponse Misrouted(AdmissionRequest request) => new()
    {
        Uid = request.Uid!,
        Allowed = true,
        Warnings = Warnings([$"the ArkEvent admission webhook received a {Describe(request.Kind)} and did not check it"]),
    };

    public static AdmissionResponse Allow(AdmissionRequest request, IEnumerable<string>? warnings = null) => new()
    {
        Uid = request.Uid!,
        Allowed = true,
        Warnings = Warnings(warnings),
    };

    /// <summary>The name kubectl shows: the object's own, else the request's (empty with generateName on CREATE).</summary>
    public static string NameOf(AdmissionRequest request, ArkEvent? ev) =>
        ev?.Metadata?.Name is { Length: > 0 } name ? name : request.Name ?? string.Empty;

    public static string NamespaceOf(AdmissionRequest request, ArkEvent? ev) =>
        request.Namespace is { Length: > 0 } ns ? ns : ev?.Metadata?.NamespaceProperty ?? string.Empty;

    public static IReadOnlyList<string>? Warnings(IEnumerable<string>? warnings)
    {
        if (warnings is null)
        {
            return null;
        }

        var list = warnings
            .Where(w => !string.IsNullOrWhiteSpace(w))
            .Select(w => w.Length <= MaxWarningLength ? w : string.Concat(w.AsSpan(0, MaxWarningLength - 1), "…"))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return list.Count == 0 ? null : list;
    }

    private static string Describe(GroupVersionKind? kind) =>
        kind is null ? "request without kind" : $"{(string.IsNullOrEmpty(kind.Group) ? "core" : kind.Group)}/{kind.Version} {kind.Kind}";
}
