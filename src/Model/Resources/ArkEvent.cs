using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Arkonis.Model.Resources;

/// <summary>An event source that fires one or more ArkFlow pipelines (<c>arkonis.dev/v1alpha1</c>, kind <c>ArkEvent</c>).</summary>
public sealed class ArkEvent : IKubernetesObject<V1ObjectMeta>, ISpec<ArkEventSpec>, IStatus<ArkEventStatus?>
{
    /// <summary>The API group.</summary>
    public const string Group = "arkonis.dev";

    /// <summary>The served version.</summary>
    public const string Version = "v1alpha1";

    /// <summary>The kind.</summary>
    public const string KindName = "ArkEvent";

    /// <summary>The resource (plural) name.</summary>
    public const string Plural = "arkevents";

    /// <summary><c>group/version</c>, as written in <c>apiVersion</c>.</summary>
    public const string ApiVersionValue = Group + "/" + Version;

    /// <inheritdoc />
    public string ApiVersion { get; set; } = ApiVersionValue;

    /// <inheritdoc />
    public string Kind { get; set; } = KindName;

    /// <inheritdoc />
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <inheritdoc />
    public ArkEventSpec Spec { get; set; } = new();

    /// <inheritdoc />
    public ArkEventStatus? Status { get; set; }

    /// <summary>The namespace, or empty when none is set.</summary>
    [JsonIgnore]
    public string Namespace => Metadata?.NamespaceProperty ?? string.Empty;

    /// <summary>The name, or empty when none is set.</summary>
    [JsonIgnore]
    public string Name => Metadata?.Name ?? string.Empty;
}

/// <summary>A list of ArkEvents, as the API server returns it.</summary>
public sealed class ArkEventList : IKubernetesObject<V1ListMeta>, IItems<ArkEvent>
{
    /// <inheritdoc />
    public string ApiVersion { get; set; } = ArkEvent.ApiVersionValue;

    /// <inheritdoc />
    public string Kind { get; set; } = ArkEvent.KindName + "List";

    /// <inheritdoc />
    public V1ListMeta Metadata { get; set; } = new();

    /// <inheritdoc />
    public IList<ArkEvent> Items { get; set; } = [];
}
