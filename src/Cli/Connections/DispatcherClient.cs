using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Arkonis.Cli.Connections;

/// <summary>What the trigger API answered: the status code and its JSON body (a run, an acceptance or a problem).</summary>
internal sealed record DispatcherAnswer(HttpStatusCode Status, JsonObject Body);

/// <summary>
/// The trigger API of docs/trigger-api.md: fire and read a run. Answers the caller must interpret (202, 200, 500, 504)
/// are returned; every other answer becomes a <see cref="CliException"/> whose message says what to do.
/// </summary>
internal sealed class DispatcherClient(HttpMessageHandler? handler = null)
{
    /// <summary>How long a call may take beyond the sync timeout the dispatcher itself enforces.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(30);

    public async Task<DispatcherAnswer> FireAsync(
        Uri dispatcher, string ns, string name, string token, string? body, TimeSpan? syncTimeout, string? timeoutText, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var path = $"triggers/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(name)}/fire";
        if (syncTimeout is not null)
        {
            path += "?mode=sync&timeout=" + Uri.EscapeDataString(timeoutText!);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(dispatcher, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        var answer = await SendAsync(request, dispatcher, (syncTimeout ?? TimeSpan.Zero) + Slack, $"{ns}/{name}", cancellationToken);
        return answer.Status is HttpStatusCode.Accepted or HttpStatusCode.OK or HttpStatusCode.InternalServerError or HttpStatusCode.GatewayTimeout
            ? answer
            : throw Refused(answer, ns, name);
    }

    public async Task<JsonObject> GetRunAsync(Uri dispatcher, string ns, string name, string runId, string token, CancellationToken cancellationToken)
    {
        var path = $"triggers/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(name)}/runs/{Uri.EscapeDataString(runId)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(dispatcher, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var answer = await SendAsync(request, dispatcher, Slack, $"{ns}/{name}", cancellationToken);
        return answer.Status == HttpStatusCode.OK ? answer.Body : throw Refused(answer, ns, name);
    }

    private async Task<DispatcherAnswer> SendAsync(HttpRequestMessage request, Uri dispatcher, TimeSpan timeout, string trigger, CancellationToken cancellationToken)
    {
        using var client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        client.Timeout = timeout;
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"cannot reach the dispatcher at {dispatcher}: {e.Message}", code: "unreachable");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"the dispatcher at {dispatcher} did not answer within {timeout.TotalSeconds:0} s for {trigger}", code: "unreachable");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonObject body;
            try
            {
                body = JsonNode.Parse(text.Length == 0 ? "{}" : text) as JsonObject ?? [];
            }
            catch (JsonException)
            {
                throw new CliException($"{dispatcher} answered {(int)response.StatusCode} with a body that is not JSON: is it an ArkEvent dispatcher (port 8092)?", code: "not-a-dispatcher");
            }

            return new DispatcherAnswer(response.StatusCode, body);
        }
    }

    private static CliException Refused(DispatcherAnswer answer, string ns, string name)
    {
        var type = (answer.Body["type"]?.GetValue<string>() ?? string.Empty).Split('/')[^1];
        var detail = answer.Body["detail"]?.GetValue<string>() ?? answer.Body["title"]?.GetValue<string>() ?? string.Empty;
        var message = type switch
        {
            "unauthorized" => $"the dispatcher refused the token for {ns}/{name} (401): there is no such trigger in namespace {ns}, or the token was rotated a moment ago; try again or check -n",
            "trigger-not-found" => $"there is no trigger {name} in namespace {ns} (404)",
            "run-not-found" => $"trigger {ns}/{name} has no such run (404)",
            "not-a-webhook-trigger" => $"{ns}/{name} is not a webhook trigger, so it cannot be fired by HTTP (409): {detail}",
            "trigger-suspended" => $"{ns}/{name} is suspended (409): {detail}",
            "trigger-invalid" => $"{ns}/{name} has an invalid definition (409): {detail}",
            "concurrency-forbidden" => $"{ns}/{name} has concurrencyPolicy Forbid and a run is still going (409): {detail}",
            "rate-limited" => $"rate limited (429): retry after {answer.Body["retryAfter"] ?? "a moment"}",
            "dispatcher-unavailable" => $"the dispatcher's Dapr sidecar is not answering (503): {detail}",
            _ => $"the dispatcher answered {(int)answer.Status}{(type.Length > 0 ? " " + type : string.Empty)}: {detail}",
        };
        return new CliException(message, code: type.Length > 0 ? type : "http-" + (int)answer.Status);
    }
}
