using System.Net;
using System.Text.Json.Nodes;

namespace Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

/// <summary>
/// PATCH: RFC 6902 JSON patch (<c>test</c> included) and RFC 7386 merge patch (<see cref="JsonPatch"/>), on the object
/// or its status subresource. Other patch types are answered 415 (the dispatcher sends none; kube-apiserver refuses
/// strategic merge patch for custom resources).
/// </summary>
public sealed partial class KubeApiStandIn
{
    private Reply Patch(string plural, ResourceType type, string ns, string name, bool statusSubresource, string contentType, string body)
    {
        lock (_lock)
        {
            if (!_objects.TryGetValue((plural, ns, name), out var stored))
            {
                return ApiStatus.NotFound(plural, type, name);
            }
            JsonObject patched;
            if (contentType.StartsWith("application/json-patch+json", StringComparison.Ordinal))
            {
                var result = JsonPatch.Apply(stored, JsonNode.Parse(body)!.AsArray());
                if (result.Error is not null)
                {
                    // kube-apiserver answers a JSON patch it cannot apply (a failed "test" included) with 422.
                    return new Reply(422, ApiStatus.Body(422, "Invalid", result.Error, name, type, plural));
                }
                patched = result.Value!;
            }
            else if (contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal))
            {
                var patch = JsonNode.Parse(body)!.AsObject();
                if (IsStale(patch, stored))
                {
                    return ApiStatus.Conflict(plural, type, name);
                }
                patched = JsonPatch.Merge(stored, patch).AsObject();
            }
            else
            {
                return ApiStatus.Of(HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json; got {contentType}");
            }

            if (type.IsCustom && statusSubresource)
            {
                // The status subresource changes only status.
                var next = stored.DeepClone().AsObject();
                next["status"] = patched["status"]?.DeepClone();
                patched = next;
            }
            else if (type.IsCustom)
            {
                patched["status"] = stored["status"]?.DeepClone();
            }
            patched["metadata"]!["resourceVersion"] = stored["metadata"]!["resourceVersion"]!.DeepClone();
            if (JsonNode.DeepEquals(patched, stored))
            {
                return new Reply(200, stored.DeepClone()); // a no-op patch writes nothing
            }
            return new Reply(200, StoreUpdate(plural, ns, name, stored, patched).DeepClone());
        }
    }
}
