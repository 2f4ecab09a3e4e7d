using Arkonis.Model.Resources;
using k8s.Models;

namespace Arkonis.Dispatcher.Kubernetes;

internal static class OwnerReferences
{
    /// <summary>A controller owner reference to the ArkEvent; blockOwnerDeletion needs update on arkevents/finalizers.</summary>
    public static V1OwnerReference To(ArkEvent arkEvent) => new()
    {
        ApiVersion = ArkEvent.ApiVersionValue,
        Kind = ArkEvent.KindName,
        Name = arkEvent.Name,
        Uid = arkEvent.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };
}

internal static class MetadataExtensions
{
    public static string? Annotation(this V1ObjectMeta metadata, string key) =>
        metadata.Annotations is { } annotations && annotations.TryGetValue(key, out var value) ? value : null;
}
