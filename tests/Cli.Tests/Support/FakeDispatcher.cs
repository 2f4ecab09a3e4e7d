using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Arkonis.Cli.Tests.Support;

/// <summary>
/// Answers like docs/trigger-api.md says: 401 for a wrong token or an unknown trigger, 409 not-a-webhook-trigger,
/// 202 with a run id, sync 200/500 with the run view, 504 sync-timeout (for the trigger named <c>slow</c>), and the
/// run status endpoint. A body with <c>"fail": true</c> makes the run fail. Records the last fire request.
/// </summary>
public sealed class FakeDispatcher : IAsyncDisposable
{
    public const string Token = "dev-token-pipeline-trigger";

    private readonly ConcurrentDictionary<string, JsonObject> _runs = new();
    private Microsoft.AspNetCore.Builder.WebApplication? _app;
    private int _count;

    /// <summary>Triggers by <c>ns/name</c>, with their type; the token of each is <see cref="Token"/>.</summary>
    public Dictionary<string, string> Triggers { get; } = new()
    {
        ["ai-team/pipeline-trigger"] = "webhook",
        ["default/pipeline-trigger"] = "webhook",
        ["ai-team/slow"] = "webhook",
        ["ai-team/morning-digest"] = "cron",
    };

    public Uri Url { get; private set; } = null!;

    public FireRequest? LastFire { get; private set; }

    public static async Task<FakeDispatcher> StartAsync()
    {
        var fake = new FakeDispatcher();
        (fake._app, fake.Url) = await LoopbackApp.StartAsync(app =>
        {
            app.MapPost("/triggers/{ns}/{name}/fire", fake.FireAsync);
            app.MapGet("/triggers/{ns}/{name}/runs/{runId}", fake.GetRun);
        });
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task<IResult> FireAsync(HttpContext http, string ns, string name)
    {
        var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
        LastFire = new FireRequest(ns, name, http.Request.Headers.Authorization.ToString(), http.Request.Headers["Idempotency-Key"].ToString(),
            http.Request.QueryString.Value ?? string.Empty, body, http.Request.ContentType);
        if (Unauthorized(http, ns, name) is { } denied)
        {
            return denied;
        }

        if (Triggers[$"{ns}/{name}"] != "webhook")
        {
            return Problem(409, "not-a-webhook-trigger", $"{ns}/{name} is a {Triggers[$"{ns}/{name}"]} trigger");
        }

        var key = http.Request.Headers["Idempotency-Key"].ToString();
        var runId = key.Length > 0 ? "run-" + key : "run-" + Interlocked.Increment(ref _count);
        var statusUrl = $"/triggers/{ns}/{name}/runs/{runId}";
        var existing = _runs.ContainsKey(runId);
        var input = body.Length > 0 ? JsonNode.Parse(body) : null;
        var failed = input?["fail"]?.GetValue<bool>() == true;
        var run = _runs.GetOrAdd(runId, _ => RunView(runId, $"{ns}/{name}", failed, input, statusUrl));
        if (http.Request.Query["mode"] != "sync")
        {
            return Results.Json(new JsonObject
            {
                ["runId"] = runId, ["trigger"] = $"{ns}/{name}", ["targets"] = new JsonArray("my-flow"), ["statusUrl"] = statusUrl, ["existing"] = existing,
            }, statusCode: 202);
        }

        if (name == "slow")
        {
            var problem = ProblemBody(504, "sync-timeout", "the run did not finish within " + http.Request.Query["timeout"]);
            problem["runId"] = runId;
            problem["statusUrl"] = statusUrl;
            return Results.Json(problem, statusCode: 504, contentType: "application/problem+json");
        }

        return Results.Json(run, statusCode: failed ? 500 : 200);
    }

    private IResult GetRun(HttpContext http, string ns, string name, string runId) =>
        Unauthorized(http, ns, name)
        ?? (_runs.TryGetValue(runId, out var run) ? Results.Json(run) : Problem(404, "run-not-found", "no such run"));

    private IResult? Unauthorized(HttpContext http, string ns, string name) =>
        http.Request.Headers.Authorization.ToString() == "Bearer " + Token && Triggers.ContainsKey($"{ns}/{name}")
            ? null
            : Problem(401, "unauthorized", null);

    private static JsonObject RunView(string runId, string trigger, bool failed, JsonNode? input, string statusUrl) => new()
    {
        ["runId"] = runId,
        ["trigger"] = trigger,
        ["status"] = failed ? "Failed" : "Succeeded",
        ["firedAt"] = "2026-03-23T12:00:00+00:00",
        ["completedAt"] = "2026-03-23T12:00:01.5+00:00",
        ["durationMs"] = 1500,
        ["output"] = failed ? null : new JsonObject { ["echo"] = input?.DeepClone() },
        ["targets"] = new JsonArray(new JsonObject
        {
            ["pipeline"] = "my-flow",
            ["run"] = "my-flow-" + runId,
            ["status"] = failed ? "Failed" : "Succeeded",
            ["output"] = failed ? null : new JsonObject { ["echo"] = input?.DeepClone() },
            ["error"] = failed ? "the flow said no" : null,
            ["completedAt"] = "2026-03-23T12:00:01.5+00:00",
        }),
        ["statusUrl"] = statusUrl,
    };

    private static IResult Problem(int status, string type, string? detail) =>
        Results.Json(ProblemBody(status, type, detail), statusCode: status, contentType: "application/problem+json");

    private static JsonObject ProblemBody(int status, string type, string? detail) => new()
    {
        ["type"] = "https://arkonis.dev/problems/" + type, ["title"] = type, ["status"] = status, ["detail"] = detail,
    };
}

/// <summary>What the CLI sent to the fire endpoint.</summary>
public sealed record FireRequest(string Namespace, string Name, string Authorization, string IdempotencyKey, string Query, string Body, string? ContentType);
