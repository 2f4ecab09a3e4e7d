using System.Text.Json.Nodes;

namespace Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

/// <summary>
/// RFC 7386 JSON merge patch, as kube-apiserver applies <c>application/merge-patch+json</c> (evanphx/json-patch
/// MergePatch): objects merge key by key, <c>null</c> removes a key, anything else (arrays included) replaces. On a copy.
/// </summary>
internal static class MergePatch
{
    public static JsonNode Apply(JsonNode? target, JsonNode patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch.DeepClone();
        }
        var result = target is JsonObject t ? t.DeepClone().AsObject() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = Apply(result[key], value);
            }
        }
        return result;
    }
}
