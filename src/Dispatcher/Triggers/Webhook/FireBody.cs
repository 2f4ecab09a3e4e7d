using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;

namespace Arkonis.Dispatcher.Triggers.Webhook;

/// <summary>
/// The body of a fire: optional, JSON, an object, at most the configured size (counted while reading, so a missing
/// or false Content-Length cannot get past the limit). Each refusal is a <see cref="TriggerProblem"/>.
/// A body sent without a type of its own is accepted when it is a JSON object: with no Content-Type at all, or with
/// <c>application/x-www-form-urlencoded</c>, which curl's <c>-d</c> (and wget's <c>--post-data</c>) send when the
/// caller names none, as in DESIGN §4's own example. Such a body that is not a JSON object is 415 (it is not JSON);
/// every other type that is not JSON (<c>text/plain</c>, <c>multipart/form-data</c>, XML, ...) is 415 unread.
/// </summary>
internal static class FireBody
{
    public static async Task<(JsonObject? Body, TriggerProblem? Problem)> ReadAsync(
        HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, TriggerProblem.BodyTooLarge);
        }
        if (request.ContentLength == 0 || request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return (null, null);
        }
        var declaredJson = !string.IsNullOrEmpty(request.ContentType) && IsJson(request.ContentType);
        if (!string.IsNullOrEmpty(request.ContentType) && !declaredJson && !IsUntypedDefault(request.ContentType))
        {
            return (null, TriggerProblem.UnsupportedMediaType);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return (null, TriggerProblem.BodyTooLarge);
                }
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e)
        {
            // The server refused the body while it arrived: too slow for Connections:MinRequestBodyBytesPerSecond (408),
            // or cut short / badly chunked (400). The client's doing, so a 4xx, never the exception handler's 500.
            return (null, e.StatusCode == StatusCodes.Status408RequestTimeout ? TriggerProblem.BodyTooSlow : TriggerProblem.BodyUnreadable);
        }
        if (buffer.Length == 0)
        {
            return (null, null);
        }
        try
        {
            var node = JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
            if (node is JsonObject body)
            {
                return (body, null);
            }
            // Declared JSON that is not an object is a bad request; an untyped body that is not an object is not JSON.
            return (null, declaredJson ? TriggerProblem.BodyNotObject : TriggerProblem.UnsupportedMediaType);
        }
        catch (JsonException)
        {
            return (null, declaredJson ? TriggerProblem.BadJson : TriggerProblem.UnsupportedMediaType);
        }
    }

    /// <summary>
    /// The type a client sends when its user named none: curl <c>-d</c> sends <c>application/x-www-form-urlencoded</c>
    /// (a real form body such as <c>topic=x</c> does not parse as JSON and stays 415).
    /// </summary>
    private static bool IsUntypedDefault(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) &&
        string.Equals(parsed.MediaType, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    private static bool IsJson(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType is { } type &&
        (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
