using System.Net;
using System.Text.Json.Nodes;

namespace Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

/// <summary>List, get, create, replace and delete, with kube-apiserver's answers (409 AlreadyExists, 409 Conflict, 422 Invalid).</summary>
public sealed partial class KubeApiStandIn
{
    private Reply ListReply(string plural, ResourceType type, string? ns, string? labelSelector)
    {
        lock (_lock)
        {
            // CRDs are served unstructured: sorted keys, and the collection's resourceVersion to watch from.
            var items = new JsonArray([.. Matching(plural, ns, labelSelector).Select(o => (JsonNode)o.DeepClone())]);
            return new Reply(200, new JsonObject
            {
                ["apiVersion"] = type.ApiVersion,
                ["items"] = items,
                ["kind"] = type.Kind + "List",
                ["metadata"] = new JsonObject { ["continue"] = "", ["resourceVersion"] = Rv(_resourceVersion) },
            });
        }
    }

    private Reply GetReply(string plural, ResourceType type, string ns, string name)
    {
        lock (_lock)
        {
            return _objects.TryGetValue((plural, ns, name), out var obj)
                ? new Reply(200, obj.DeepClone())
                : ApiStatus.NotFound(plural, type, name);
        }
    }

    private Reply Create(string plural, ResourceType type, string ns, JsonObject obj)
    {
        var metadata = obj["metadata"] as JsonObject ?? [];
        obj["metadata"] = metadata;
        var name = (string?)metadata["name"];
        if (name is null && (string?)metadata["generateName"] is { } prefix)
        {
            name = prefix + Guid.NewGuid().ToString("N")[..5];
            metadata["name"] = name;
        }
        if (name is null)
        {
            return ApiStatus.Invalid(plural, type, "", "metadata.name: Required value: name or generateName is required");
        }
        metadata["namespace"] ??= ns;
        if ((string?)metadata["namespace"] != ns)
        {
            return ApiStatus.Of(HttpStatusCode.BadRequest, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
        }
        if (plural == "events" && EventValidation.Problems(obj, ns) is { } eventProblem)
        {
            return ApiStatus.Invalid(plural, type, name, eventProblem);
        }
        if (AdmitCreate(plural, type, name, ref obj) is { } refused)
        {
            return refused; // a webhook or the CRD schema (KubeApiStandIn.Schema)
        }
        lock (_lock)
        {
            if (_objects.ContainsKey((plural, ns, name)))
            {
                return ApiStatus.AlreadyExists(plural, type, name);
            }
            if (type.IsCustom)
            {
                obj.Remove("status"); // the status subresource: create ignores status
            }
            return new Reply(201, StoreNew(plural, ns, name, obj).DeepClone());
        }
    }

    private Reply Replace(string plural, ResourceType type, string ns, string name, JsonObject obj)
    {
        lock (_lock)
        {
            if (!_objects.TryGetValue((plural, ns, name), out var stored))
            {
                return ApiStatus.NotFound(plural, type, name);
            }
            if (IsStale(obj, stored))
            {
                return ApiStatus.Conflict(plural, type, name);
            }
            if (type.IsCustom)
            {
                obj["status"] = stored["status"]?.DeepClone();
            }
            if (AdmitUpdate(plural, type, name, stored, ref obj, subresource: false) is { } refused)
            {
                return refused;
            }
            return new Reply(200, StoreUpdate(plural, ns, name, stored, obj).DeepClone());
        }
    }

    private Reply DeleteReply(string plural, ResourceType type, string ns, string name, string? propagationPolicy)
    {
        lock (_lock)
        {
            if (!_objects.ContainsKey((plural, ns, name)))
            {
                return ApiStatus.NotFound(plural, type, name);
            }
            // An object that stays (finalizers) is answered with itself, as kube-apiserver does; a gone one with a Status.
            return DeleteRequested(plural, ns, name, propagationPolicy ?? "Background") is { } terminating
                ? new Reply(200, terminating.DeepClone())
                : new Reply(200, ApiStatus.Deleted(plural, type, name));
        }
    }

    /// <summary>Optimistic concurrency: a write that names a resourceVersion must name the stored one.</summary>
    private static bool IsStale(JsonObject sent, JsonObject stored) =>
        (string?)sent["metadata"]?["resourceVersion"] is { } sentVersion && sentVersion != (string?)stored["metadata"]!["resourceVersion"];
}
