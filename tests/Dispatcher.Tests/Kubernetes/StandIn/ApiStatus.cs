using System.Net;
using System.Text.Json.Nodes;

namespace Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

/// <summary>
/// kube-apiserver's <c>Status</c> bodies for failures, as <c>k8s.io/apimachinery/pkg/api/errors</c> builds them
/// (NewNotFound, NewAlreadyExists, NewConflict, NewInvalid, NewResourceExpired): the client reads reason and code from them.
/// </summary>
internal static class ApiStatus
{
    public static JsonObject Body(int code, string reason, string message, string? name = null, ResourceType? type = null, string? plural = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (name is not null && type is not null)
        {
            var details = new JsonObject { ["name"] = name };
            if (type.Group.Length > 0)
            {
                details["group"] = type.Group;
            }
            details["kind"] = plural;
            status["details"] = details;
        }
        status["code"] = code;
        return status;
    }

    public static Reply Of(HttpStatusCode code, string reason, string message) =>
        new((int)code, Body((int)code, reason, message));

    public static Reply NotFound(string plural, ResourceType type, string name) =>
        new(404, Body(404, "NotFound", $"{type.GroupResource(plural)} \"{name}\" not found", name, type, plural));

    public static Reply AlreadyExists(string plural, ResourceType type, string name) =>
        new(409, Body(409, "AlreadyExists", $"{type.GroupResource(plural)} \"{name}\" already exists", name, type, plural));

    public static Reply Conflict(string plural, ResourceType type, string name) =>
        new(409, Body(409, "Conflict",
            $"Operation cannot be fulfilled on {type.GroupResource(plural)} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            name, type, plural));

    public static Reply Invalid(string plural, ResourceType type, string name, string problem) =>
        new(422, Body(422, "Invalid", $"{type.Kind} \"{name}\" is invalid: {problem}", name, type, plural));

    /// <summary>A Delete's success: a Status whose details name what went.</summary>
    public static JsonObject Deleted(string plural, ResourceType type, string name) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["details"] = new JsonObject { ["name"] = name, ["group"] = type.Group, ["kind"] = plural },
    };
}
