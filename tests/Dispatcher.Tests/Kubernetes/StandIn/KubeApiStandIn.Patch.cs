using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson.Exceptions;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson.Operations;

namespace Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

/// <summary>
/// PATCH: RFC 6902 JSON patch (<see cref="JsonPatchDocument"/>, <c>test</c> included) and RFC 7386 merge patch
/// (<see cref="MergePatch"/>), on the object or its status subresource. Other patch types are answered 415 (the
/// dispatcher sends none; kube-apiserver refuses strategic merge patch for custom resources).
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
                if (!TryApplyJsonPatch(stored, body, out var applied, out var error))
                {
                    // kube-apiserver answers a JSON patch it cannot apply (a failed "test" included) with 422.
                    return new Reply(422, ApiStatus.Body(422, "Invalid", error, name, type, plural));
                }
                patched = applied;
            }
            else if (contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal))
            {
                var patch = JsonNode.Parse(body)!.AsObject();
                if (IsStale(patch, stored))
                {
                    return ApiStatus.Conflict(plural, type, name);
                }
                patched = MergePatch.Apply(stored, patch).AsObject();
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
            if (AdmitUpdate(plural, type, name, stored, ref patched, statusSubresource) is { } refused)
            {
                return refused; // a webhook or the CRD schema (KubeApiStandIn.Schema)
            }
            if (JsonNode.DeepEquals(patched, stored))
            {
                return new Reply(200, stored.DeepClone()); // a no-op patch writes nothing
            }
            return new Reply(200, StoreUpdate(plural, ns, name, stored, patched).DeepClone());
        }
    }

    /// <summary>
    /// All operations or none, on a copy; the first error is the answer. An unknown <c>op</c> is an error (the library
    /// would skip it), and so is a path the library throws for.
    /// </summary>
    private static bool TryApplyJsonPatch(JsonObject stored, string body, [NotNullWhen(true)] out JsonObject? patched, [NotNullWhen(false)] out string? error)
    {
        var document = JsonSerializer.Deserialize<JsonPatchDocument>(body)!;
        patched = null;
        if (document.Operations.FirstOrDefault(o => o.OperationType == OperationType.Invalid) is { } unknown)
        {
            error = $"Unexpected kind: {unknown.op}";
            return false;
        }
        var copy = stored.DeepClone().AsObject();
        string? failure = null;
        try
        {
            document.ApplyTo(copy, e => failure ??= e.ErrorMessage);
        }
        catch (Exception e) when (e is JsonPatchException or ArgumentException)
        {
            failure = e.Message;
        }
        error = failure;
        if (error is not null)
        {
            return false;
        }
        patched = copy;
        return true;
    }
}
