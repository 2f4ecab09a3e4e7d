using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Arkonis.Dispatcher.Kubernetes;

internal static class KubernetesErrors
{
    /// <summary>The Status reason of a failed call (AlreadyExists, Conflict, NotFound...), read from the body; the client leaves <c>Body</c> null.</summary>
    public static string? Reason(HttpOperationException e)
    {
        var content = e.Response?.Content;
        if (string.IsNullOrEmpty(content))
        {
            return null;
        }
        try
        {
            return KubernetesJson.Deserialize<V1Status>(content)?.Reason;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>The Status message of a failed call, read from the body.</summary>
    public static string? Message(HttpOperationException e)
    {
        var content = e.Response?.Content;
        if (string.IsNullOrEmpty(content))
        {
            return null;
        }
        try
        {
            return KubernetesJson.Deserialize<V1Status>(content)?.Message;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public static bool IsNotFound(Exception e) => e is HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound };

    /// <summary>Worth retrying later: no connection, a timeout, 429 or a 5xx.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        HttpOperationException { Response.StatusCode: var code } => code == HttpStatusCode.TooManyRequests || (int)code >= 500,
        HttpRequestException or TimeoutException or TaskCanceledException => true,
        _ => false,
    };

    /// <summary>
    /// A write lost a race: 409 Conflict, or 422 from a failed JSON Patch <c>test</c>. A 422 may also be the schema
    /// refusing the result; callers that can tell (the status writer re-reads) handle 422 before asking this.
    /// </summary>
    public static bool IsLostRace(Exception e) =>
        e is HttpOperationException { Response.StatusCode: HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity } http
        && Reason(http) != "AlreadyExists";
}
