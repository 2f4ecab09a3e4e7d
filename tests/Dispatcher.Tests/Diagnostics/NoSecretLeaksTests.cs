using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Tests.Shared;
using Arkonis.Dispatcher.Triggers;
using Arkonis.Dispatcher.Triggers.Concurrency;
using Arkonis.Dispatcher.Triggers.Cron;
using Microsoft.Extensions.DependencyInjection;
using Arkonis.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Arkonis.Dispatcher.Tests.Diagnostics;

/// <summary>
/// The dispatcher with every log category at Trace, every ActivitySource and every Meter listened to: the webhook
/// token (and the Dapr API tokens) never reach a log line, a span or a metric, whatever the caller does with them.
/// </summary>
public sealed class NoSecretLeaksFixture : DispatcherFixture, IDisposable
{
    /// <summary>Secrets of this fixture only (the listeners are process-wide; no other test can log these).</summary>
    public string WebhookToken { get; } = NewToken();

    public string RotatedToken { get; } = NewToken();

    public string DaprApiToken { get; } = NewToken();

    public string AppApiToken { get; } = NewToken();

    internal TelemetryCapture Capture { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["TriggerApi:TokenCacheTtl"] = "00:00:00.200",
        ["DAPR_API_TOKEN"] = DaprApiToken,
        ["APP_API_TOKEN"] = AppApiToken,
        // Trace for every category, including those appsettings.json turns down.
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Dapr"] = "Trace",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Trace",
        // Even asked for by name, ASP.NET Core's request lines (which print the query string) stay off.
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace",
    };

    protected override DaprdBehaviour? Daprd => new() { ApiToken = DaprApiToken };

    protected override ILoggerProvider? SidecarLogs => Capture;

    protected override IEnumerable<string> TokenSecrets => [];

    protected override IReadOnlyDictionary<string, string> Events => new Dictionary<string, string>
    {
        ["hook.yaml"] = Event("leak-hook", "source: { type: webhook }", "leak-flow"),
        ["paused.yaml"] = Event("leak-paused", "source: { type: webhook }\n  suspend: true", "leak-flow"),
        ["after.yaml"] = Event("leak-after", "source: { type: flow-output, flow: leak-flow }", "leak-after-flow"),
        ["cron.yaml"] = Event("leak-cron", "source: { type: cron, cron: \"* * * * *\" }", "leak-cron-flow"),
        ["after-cron.yaml"] = Event("leak-after-cron", "source: { type: flow-output, flow: leak-cron-flow }", "leak-after-cron-flow"),
    };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(Capture);

    /// <summary>After the app and its runtime are gone (xunit disposes a fixture after DisposeAsync): no listener outlives the class.</summary>
    public void Dispose() => Capture.Dispose();

    /// <summary>What the operator's token Secrets hold: 32 random bytes as lowercase hex (WebhookTokenSecrets.NewToken).</summary>
    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static string Event(string name, string source, string pipeline) => $$"""
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata: { name: {{name}}, namespace: default }
        spec:
          {{source}}
          targets:
            - pipeline: {{pipeline}}
        """;
}

[Collection(GlobalTelemetryCollection.Name)]
public sealed class NoSecretLeaksTests(NoSecretLeaksFixture app) : IClassFixture<NoSecretLeaksFixture>
{
    private const string Hook = "/triggers/default/leak-hook";

    [Fact]
    public async Task No_token_reaches_a_log_line_a_span_or_a_metric_whatever_the_caller_does_with_it()
    {
        // Callbacks from the embedded runtime carry the app API token, as daprd's do.
        app.Sidecar.PubSub.AppApiToken = app.AppApiToken;
        SetToken("leak-hook", app.WebhookToken);
        SetToken("leak-paused", app.WebhookToken);
        var capture = app.Capture;
        var wrong = NearMisses(app.WebhookToken).ToList();

        // Async fire, read back through the status endpoint. The first fire may find the token Secret just written.
        var statusUrl = await DispatcherFixture.EventuallyAsync(
            async () =>
            {
                using var answer = await SendAsync(HttpMethod.Post, Hook + "/fire", app.WebhookToken, """{"topic":"async"}""");
                return answer.StatusCode == HttpStatusCode.Accepted
                    ? (string?)(await answer.Content.ReadFromJsonAsync<JsonObject>())!["statusUrl"]
                    : null;
            },
            url => url is not null,
            TimeSpan.FromSeconds(20),
            "the first fire to be accepted");
        var asyncRunId = Uri.UnescapeDataString(statusUrl!.Split('/')[^1]);
        await WaitForRunAsync(statusUrl, app.WebhookToken);

        // Sync fire, and one with the token as its Idempotency-Key (the run id hashes the key).
        using (var sync = await SendAsync(HttpMethod.Post, Hook + "/fire?mode=sync&timeout=20s", app.WebhookToken, """{"topic":"sync"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, sync.StatusCode);
        }
        using (var keyed = await SendAsync(HttpMethod.Post, Hook + "/fire", app.WebhookToken, """{"topic":"keyed"}""", ("Idempotency-Key", app.WebhookToken)))
        {
            Assert.Equal(HttpStatusCode.Accepted, keyed.StatusCode);
        }

        // Wrong tokens, each a near-miss of the real one: refused.
        foreach (var token in wrong)
        {
            using var refused = await SendAsync(HttpMethod.Post, Hook + "/fire", token, "{}");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        // The real token where it does not belong: another scheme, an unknown trigger, a suspended one, the run endpoint.
        await ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Post, Hook + "/fire", null, ("Authorization", "Basic " + app.WebhookToken));
        await ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Post, Hook + "/fire", null, ("Authorization", "Token " + app.WebhookToken));
        await ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Post, "/triggers/default/leak-unknown/fire", app.WebhookToken);
        await ExpectAsync(HttpStatusCode.Conflict, HttpMethod.Post, "/triggers/default/leak-paused/fire", app.WebhookToken);
        await ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, Hook + "/runs/default_leak-hook_" + new string('0', 32), app.WebhookToken);
        await ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Get, statusUrl, wrong[0]);
        // In the query string (refused: a token there is read by proxies and access logs) and in other headers.
        await ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, Hook + "/fire?token=" + app.WebhookToken, app.WebhookToken);
        await ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, Hook + "/fire?access_token=" + app.WebhookToken, null);
        await ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, Hook + "/fire?mode=" + app.WebhookToken, app.WebhookToken);
        await ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, Hook + "/fire?timeout=" + app.WebhookToken, app.WebhookToken);
        await ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, Hook + "/fire", app.WebhookToken, ("Idempotency-Key", string.Concat(Enumerable.Repeat(app.WebhookToken, 5))));
        await ExpectAsync(
            HttpStatusCode.Unauthorized, HttpMethod.Post, Hook + "/fire", null,
            ("X-Api-Key", app.WebhookToken), ("Cookie", "token=" + app.WebhookToken), ("User-Agent", "curl/" + app.WebhookToken), ("Referer", "http://x/?token=" + app.WebhookToken));

        // Rotation: the new token works at once, the old one through the grace time, a near-miss of the new one never.
        SetToken("leak-hook", app.RotatedToken, previous: app.WebhookToken);
        await DispatcherFixture.EventuallyAsync(
            async () =>
            {
                using var answer = await SendAsync(HttpMethod.Post, Hook + "/fire?mode=sync&timeout=20s", app.RotatedToken, """{"topic":"rotated"}""");
                return answer.StatusCode;
            },
            status => status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(20),
            "the rotated token to fire");
        await ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, Hook + "/fire", app.WebhookToken);
        foreach (var token in NearMisses(app.RotatedToken))
        {
            await ExpectAsync(HttpStatusCode.Unauthorized, HttpMethod.Post, Hook + "/fire", token);
        }

        // Cron, on a simulated clock through the app's launcher (its loggers the app's); its flow's completion fires the
        // flow-output event, as the webhook flows fired theirs.
        var cronRunId = Arkonis.Model.Runs.RunIds.ForCron("default", "leak-cron", new DateTimeOffset(2026, 6, 1, 10, 0, 0, TimeSpan.Zero));
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 9, 59, 30, TimeSpan.Zero));
        var ticker = CronReplica(clock);
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, (await ticker.TickAsync(CancellationToken.None)).Started);
        var activity = app.Services.GetRequiredService<InMemoryTriggerActivity>();
        await DispatcherFixture.EventuallyAsync(
            () => Task.FromResult((activity.Get("default", "leak-after").LastRunResult, activity.Get("default", "leak-after-cron").LastRunResult)),
            results => results == ("Succeeded", "Succeeded"),
            TimeSpan.FromSeconds(30),
            "the flow-output runs after the webhook and the cron flows to end");

        using (var scrape = await app.Public.GetAsync("/metrics"))
        {
            capture.Other.Enqueue(("GET /metrics", await scrape.Content.ReadAsStringAsync()));
        }
        capture.CollectObservables();

        // The app's JSON console is the one the capture formats with: scopes, UTC timestamps.
        var json = app.Services.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().CurrentValue;
        Assert.Equal((true, true, ConsoleLogging.JsonTimestampFormat), (json.IncludeScopes, json.UseUtcTimestamp, json.TimestampFormat));

        // The capture saw what it should have: lines with their scopes, spans, measurements.
        var lines = capture.Lines.ToList();
        Assert.All(lines, line =>
        {
            var json = JsonNode.Parse(line)!;
            Assert.EndsWith("Z", (string)json["Timestamp"]!, StringComparison.Ordinal);
            Assert.NotNull(json["Category"]);
            Assert.NotNull(json["LogLevel"]);
            Assert.DoesNotContain(json["State"]?.AsObject() ?? [], field => field.Key.StartsWith('@'));
        });
        AssertScoped(lines, "Arkonis.Dispatcher.Workflows.WorkflowRunLauncher", "leak-hook", asyncRunId);
        AssertScoped(lines, "Arkonis.Dispatcher.Workflows.StartFlowActivity", "leak-hook", asyncRunId);
        AssertScoped(lines, "Arkonis.Dispatcher.Workflows.WorkflowRunLauncher", "leak-cron", cronRunId);
        AssertScoped(lines, "Arkonis.Dispatcher.Workflows.StartFlowActivity", "leak-cron", cronRunId);
        AssertScoped(lines, "Arkonis.Dispatcher.Triggers.FlowOutput.FlowOutputTrigger", "leak-after", runId: null);
        AssertScoped(lines, "Arkonis.Dispatcher.Reporting.InMemoryTriggerActivity", "leak-after-cron", runId: null);
        Assert.Contains(capture.Spans, span => span.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.Contains(capture.Measurements.Keys, m => m.Contains("arkevent.trigger.requests", StringComparison.Ordinal));
        Assert.Contains("arkevent_trigger_requests", capture.Other.Single().Text, StringComparison.Ordinal);

        var secrets = new[] { app.WebhookToken, app.RotatedToken, app.DaprApiToken, app.AppApiToken }.SelectMany(s => TelemetryCapture.Pieces(s));
        var leaks = capture.Find(secrets.Concat(wrong).Concat(NearMisses(app.RotatedToken)));
        Assert.True(leaks.Count == 0, $"{leaks.Count} leak(s) in {lines.Count} log lines, {capture.Spans.Count} spans, " +
            $"{capture.Measurements.Count} measurements:\n" + string.Join('\n', leaks.Select(Place).Distinct().Take(20)));
    }

    [Fact]
    public void The_search_finds_a_token_in_a_log_line_a_scope_a_span_and_a_metric()
    {
        using var capture = new TelemetryCapture();
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        var logger = factory.CreateLogger("Throwaway");
        var (inMessage, prefix, inScope, escaped, inSpan, inMetric) = (
            NoSecretLeaksFixture.NewToken(), NoSecretLeaksFixture.NewToken(), NoSecretLeaksFixture.NewToken(),
            "a+b<c>" + NoSecretLeaksFixture.NewToken(), NoSecretLeaksFixture.NewToken(), NoSecretLeaksFixture.NewToken());
        string[] all = [inMessage, prefix, inScope, escaped, inSpan, inMetric];
        Assert.Empty(capture.Find(all.SelectMany(s => TelemetryCapture.Pieces(s))));

        Write(logger, "Authorization: Bearer " + inMessage);
        Write(logger, "token starts with " + prefix[..15]);
        using (logger.BeginScope(new Dictionary<string, object?> { ["Header"] = inScope }))
        {
            Write(logger, "nothing secret in the message");
        }
        Write(logger, escaped);
        using (var source = new ActivitySource("Throwaway." + Guid.NewGuid()))
        using (var span = source.StartActivity("throwaway"))
        {
            span!.SetTag("http.request.header.authorization", inSpan);
        }
        using (var meter = new Meter("Throwaway." + Guid.NewGuid()))
        {
            meter.CreateCounter<long>("throwaway").Add(1, new KeyValuePair<string, object?>("token", inMetric));
        }

        Assert.All(all, secret => Assert.NotEmpty(capture.Find(TelemetryCapture.Pieces(secret))));
        Assert.Contains(capture.Lines, line => line.Contains("\\u002B", StringComparison.Ordinal)); // the formatter escaped it
    }

    /// <summary>Where a finding is (its needle dropped), short enough to read in a failure message.</summary>
    private static string Place(string finding)
    {
        var place = finding[(finding.IndexOf(" in ", StringComparison.Ordinal) + 4)..];
        return place.Length > 600 ? place[..600] + "..." : place;
    }

    private static void Write(ILogger logger, string message) =>
        logger.Log(LogLevel.Information, default, message, null, (text, _) => text);

    /// <summary>Wrong tokens a guesser or a typo would send: one character off at either end, one more, one less, upper case.</summary>
    private static IEnumerable<string> NearMisses(string token)
    {
        yield return token[..^1] + (token[^1] == '0' ? '1' : '0');
        yield return (token[0] == '0' ? '1' : '0') + token[1..];
        yield return token + "0";
        yield return token[..^1];
        yield return token.ToUpperInvariant();
    }

    /// <summary>A line of <paramref name="category"/> carries the ArkEvent's scope and the run's (any run when <paramref name="runId"/> is null).</summary>
    private static void AssertScoped(IReadOnlyList<string> lines, string category, string name, string? runId)
    {
        var matching = lines.Select(line => JsonNode.Parse(line)!).Where(line => (string?)line["Category"] == category).ToList();
        Assert.Contains(matching, line => line["Scopes"]?.AsArray().Any(scope =>
            scope is JsonObject s && (string?)s["Namespace"] == "default" && (string?)s["Name"] == name) == true &&
            line["Scopes"]!.AsArray().Any(scope => scope is JsonObject s && s["RunId"] is { } id && (runId is null || (string?)id == runId)));
    }

    private void SetToken(string eventName, string token, string? previous = null)
    {
        var values = new Dictionary<string, string> { ["token"] = token };
        if (previous is not null)
        {
            values["previous-token"] = previous;
            values["previous-token-expires-at"] = DateTimeOffset.UtcNow.AddMinutes(10).ToString("O");
        }
        app.Sidecar.Runtime.Secrets[eventName + "-webhook-token"] = values;
    }

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, string? token, string? json = null, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        foreach (var (header, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }
        if (json is not null || method == HttpMethod.Post)
        {
            request.Content = new StringContent(json ?? "{}", System.Text.Encoding.UTF8, "application/json");
        }
        return await app.Public.SendAsync(request);
    }

    private async Task ExpectAsync(HttpStatusCode expected, HttpMethod method, string path, string? token, params (string Name, string Value)[] headers)
    {
        using var answer = await SendAsync(method, path, token, null, headers);
        Assert.Equal(expected, answer.StatusCode);
    }

    private async Task WaitForRunAsync(string statusUrl, string token) =>
        await DispatcherFixture.EventuallyAsync(
            async () =>
            {
                using var answer = await SendAsync(HttpMethod.Get, statusUrl, token);
                return (string?)(await answer.Content.ReadFromJsonAsync<JsonObject>())?["status"];
            },
            status => status == "Succeeded",
            TimeSpan.FromSeconds(20),
            "the async run to succeed");

    private CronTicker CronReplica(FakeTimeProvider clock)
    {
        var services = app.Services;
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var options = Options.Create(new CronTriggerOptions());
        var sidecar = Options.Create(new SidecarOptions { CallTimeout = TimeSpan.FromSeconds(5) });
        var evaluator = new CronEvaluator(services.GetRequiredService<ArkEventCatalog>(), clock, options, loggers.CreateLogger<CronEvaluator>());
        var gate = new ConcurrencyGate(new RunLedger(services.GetRequiredService<IRunStatusSource>(), sidecar, loggers.CreateLogger<RunLedger>()));
        return new CronTicker(evaluator, gate, services.GetRequiredService<IRunLauncher>(), services.GetRequiredService<ITriggerActivity>(),
            services.GetRequiredService<ICronCheckpointStore>(), services.GetRequiredService<TriggerMetrics>(), clock, options, sidecar,
            loggers.CreateLogger<CronTicker>());
    }
}
