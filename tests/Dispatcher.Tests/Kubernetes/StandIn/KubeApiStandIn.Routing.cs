using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

/// <summary>An answer with a JSON body (a watch writes its own response and answers <see langword="null"/>).</summary>
internal sealed record Reply(int Code, JsonNode Body);

/// <summary>HTTP plumbing: fault injection, the request log, and the URL of a request to a verb on a resource.</summary>
public sealed partial class KubeApiStandIn
{
    private const string RecordedKey = "recorded";

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var receivedAt = DateTimeOffset.UtcNow;
        var body = await new StreamReader(request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
        var reply = Unavailable
            ? ApiStatus.Of(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "the server is currently unable to handle the request")
            : FailWith?.Invoke(request) is { } injected
                ? ApiStatus.Of(injected, injected.ToString(), "injected failure")
                : null;
        if (reply is null)
        {
            try
            {
                reply = await RouteAsync(context, body);
            }
            catch (System.Text.Json.JsonException e)
            {
                reply = ApiStatus.Of(HttpStatusCode.BadRequest, "BadRequest", e.Message);
            }
        }
        if (!context.Items.ContainsKey(RecordedKey))
        {
            Record(context, body, reply?.Code ?? 200, receivedAt);
        }
        if (reply is not null)
        {
            context.Response.StatusCode = reply.Code;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(reply.Body.ToJsonString(), context.RequestAborted);
        }
    }

    private void Record(HttpContext context, string body, int status, DateTimeOffset receivedAt)
    {
        var request = context.Request;
        context.Items[RecordedKey] = true;
        _requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", request.ContentType, body,
            request.Headers.UserAgent.ToString(), status, receivedAt));
    }

    private async Task<Reply?> RouteAsync(HttpContext context, string body)
    {
        var segments = context.Request.Path.Value!.Trim('/').Split('/');
        // /api/v1/... or /apis/{group}/{version}/...
        var rest = segments[0] == "api" ? segments[2..] : segments[0] == "apis" && segments.Length > 3 ? segments[3..] : null;
        if (rest is null || rest.Length == 0)
        {
            return ApiStatus.Of(HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource");
        }
        string? ns = null;
        if (rest[0] == "namespaces" && rest.Length >= 3)
        {
            ns = rest[1];
            rest = rest[2..];
        }
        var plural = rest[0];
        if (!ResourceType.ByPlural.TryGetValue(plural, out var type))
        {
            return ApiStatus.Of(HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource");
        }
        var name = rest.Length > 1 ? rest[1] : null;
        var subresource = rest.Length > 2 ? rest[2] : null;
        var query = context.Request.Query;
        var method = context.Request.Method;

        if (name is null)
        {
            return method switch
            {
                "GET" when query["watch"] == "true" => await WatchAsync(context, plural, ns),
                "GET" => ListReply(plural, type, ns, query["labelSelector"]),
                "POST" when ns is not null => Create(plural, type, ns, JsonNode.Parse(body)!.AsObject()),
                _ => MethodNotAllowed(),
            };
        }
        ns ??= string.Empty;
        return method switch
        {
            "GET" => GetReply(plural, type, ns, name),
            "PUT" => Replace(plural, type, ns, name, JsonNode.Parse(body)!.AsObject()),
            "PATCH" => Patch(plural, type, ns, name, subresource == "status", context.Request.ContentType ?? "", body),
            "DELETE" => DeleteReply(plural, type, ns, name, PropagationPolicy(query["propagationPolicy"], body)),
            _ => MethodNotAllowed(),
        };
    }

    /// <summary>DeleteOptions' propagationPolicy, from the query or the body (the client sends a body).</summary>
    private static string? PropagationPolicy(string? query, string body)
    {
        if (!string.IsNullOrEmpty(query))
        {
            return query;
        }
        return string.IsNullOrWhiteSpace(body) ? null : (string?)JsonNode.Parse(body)?["propagationPolicy"];
    }

    private static Reply MethodNotAllowed() =>
        ApiStatus.Of(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", "the server does not allow this method on the requested resource");
}
