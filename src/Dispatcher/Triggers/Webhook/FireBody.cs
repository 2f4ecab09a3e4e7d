using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;

namespace Arkonis.Dispatcher.Triggers.Webhook;

/// <summary>
/// The body of a fire: optional, JSON, an object, at most the configured size (counted while reading, so a missing
/// or false Content-Length cannot get past the limit). Each refusal is a <see cref="TriggerProblem"/>.
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
        if (!string.IsNullOrEmpty(request.ContentType) && !IsJson(request.ContentType))
        {
            return (null, TriggerProblem.UnsupportedMediaType);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, TriggerProblem.BodyTooLarge);
            }
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0)
        {
            return (null, null);
        }
        if (string.IsNullOrEmpty(request.ContentType))
        {
            return (null, TriggerProblem.UnsupportedMediaType);
        }
        try
        {
            var node = JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
            return node is JsonObject body ? (body, null) : (null, TriggerProblem.BodyNotObject);
        }
        catch (JsonException)
        {
            return (null, TriggerProblem.BadJson);
        }
    }

    private static bool IsJson(string contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType is { } type &&
        (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
