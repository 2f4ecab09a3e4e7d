using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Arkonis.Dispatcher.Triggers.Webhook;

/// <summary>Every error the trigger API answers, each with a stable <c>type</c> URI.</summary>
public enum TriggerProblem
{
    Unauthorized,
    TokenInQuery,
    TriggerNotFound,
    RunNotFound,
    NotWebhook,
    Suspended,
    TriggerInvalid,
    ConcurrencyForbidden,
    BadJson,
    BodyNotObject,
    BadMode,
    BadTimeout,
    BadIdempotencyKey,
    BodyTooLarge,
    BodyTooSlow,
    BodyUnreadable,
    UnsupportedMediaType,
    RateLimited,
    SidecarUnavailable,
    SyncTimeout,
}

/// <summary>The one place where trigger errors become RFC 9457 problem details (status, type, title, headers).</summary>
public static class TriggerProblems
{
    public const string TypeBase = "https://arkonis.dev/problems/";

    private static readonly Dictionary<TriggerProblem, (int Status, string Slug, string Title)> Map = new()
    {
        [TriggerProblem.Unauthorized] = (401, "unauthorized", "A valid bearer token for this trigger is required."),
        [TriggerProblem.TokenInQuery] = (400, "token-in-query", "Tokens are accepted only in the Authorization header."),
        [TriggerProblem.TriggerNotFound] = (404, "trigger-not-found", "No such trigger."),
        [TriggerProblem.RunNotFound] = (404, "run-not-found", "No such run for this trigger."),
        [TriggerProblem.NotWebhook] = (409, "not-a-webhook-trigger", "This trigger does not fire on webhook calls."),
        [TriggerProblem.Suspended] = (409, "trigger-suspended", "This trigger is suspended."),
        [TriggerProblem.TriggerInvalid] = (409, "trigger-invalid", "This trigger's definition is invalid, so it cannot fire."),
        [TriggerProblem.ConcurrencyForbidden] = (409, "concurrency-forbidden", "A run of this trigger is still going and its concurrencyPolicy is Forbid."),
        [TriggerProblem.BadJson] = (400, "invalid-json", "The request body is not valid JSON."),
        [TriggerProblem.BodyNotObject] = (400, "body-not-object", "The request body must be a JSON object."),
        [TriggerProblem.BadMode] = (400, "invalid-mode", "mode must be sync or async."),
        [TriggerProblem.BadTimeout] = (400, "invalid-timeout", "timeout must be a duration such as 500ms, 120s, 2m or 1m30s, within the allowed maximum."),
        [TriggerProblem.BadIdempotencyKey] = (400, "invalid-idempotency-key", "Idempotency-Key must be 1 to 255 visible ASCII characters."),
        [TriggerProblem.BodyTooLarge] = (413, "body-too-large", "The request body is larger than allowed."),
        [TriggerProblem.BodyTooSlow] = (408, "body-too-slow", "The request body arrived too slowly; the connection is closed."),
        [TriggerProblem.BodyUnreadable] = (400, "body-unreadable", "The request body ended early or its framing is malformed."),
        [TriggerProblem.UnsupportedMediaType] = (415, "unsupported-media-type", "The request body must be application/json."),
        [TriggerProblem.RateLimited] = (429, "rate-limited", "Too many requests for this trigger."),
        [TriggerProblem.SidecarUnavailable] = (503, "dispatcher-unavailable", "The dispatcher's Dapr sidecar is not reachable; retry later."),
        [TriggerProblem.SyncTimeout] = (504, "sync-timeout", "The run did not finish within the timeout; it goes on and can be read at statusUrl."),
    };

    /// <summary>Builds the problem result and sets the headers the status needs (WWW-Authenticate, Retry-After).</summary>
    public static ProblemHttpResult Problem(
        HttpContext context,
        TriggerProblem problem,
        string? detail = null,
        IDictionary<string, object?>? extensions = null,
        int? retryAfterSeconds = null)
    {
        var (status, slug, title) = Map[problem];
        switch (problem)
        {
            case TriggerProblem.Unauthorized:
                context.Response.Headers.WWWAuthenticate = "Bearer realm=\"arkevent\"";
                break;
            case TriggerProblem.RateLimited or TriggerProblem.SidecarUnavailable:
                context.Response.Headers.RetryAfter = (retryAfterSeconds ?? 1).ToString(CultureInfo.InvariantCulture);
                break;
        }
        return TypedResults.Problem(
            detail: detail,
            instance: context.Request.Path,
            statusCode: status,
            title: title,
            type: TypeBase + slug,
            extensions: extensions);
    }
}
