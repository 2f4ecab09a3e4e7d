using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Harness;

namespace Arkonis.Dispatcher.Tests.Triggers.Webhook;

/// <summary>Fires through the public API; runs go through the real Dapr workflow worker and the flow-runner sample.</summary>
public sealed class FireEndToEndTests(DispatcherFixture app) : IClassFixture<DispatcherFixture>
{
    [Fact]
    public async Task Async_fire_answers_202_and_the_run_completes_with_the_flow_output()
    {
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire", """{"topic":"dapr"}""");
        using var response = await app.Public.SendAsync(fire);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonObject>();
        var runId = (string)accepted!["runId"]!;
        var statusUrl = (string)accepted["statusUrl"]!;
        Assert.Equal(statusUrl, response.Headers.Location!.OriginalString);
        Assert.Equal("default/hello", (string)accepted["trigger"]!);
        Assert.Equal(["echo"], accepted["targets"]!.AsArray().Select(t => (string)t!));

        var run = await DispatcherFixture.EventuallyAsync(
            async () =>
            {
                using var read = DispatcherFixture.Authorized(HttpMethod.Get, statusUrl);
                using var answer = await app.Public.SendAsync(read);
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                return (await answer.Content.ReadFromJsonAsync<JsonObject>())!;
            },
            r => (string?)r["status"] == "Succeeded",
            TimeSpan.FromSeconds(20),
            "the run to succeed");
        Assert.Equal(runId, (string)run["runId"]!);
        var target = run["targets"]![0]!;
        Assert.Equal("echo", (string)target["pipeline"]!);
        Assert.Equal("dapr", (string)target["output"]!["echo"]!["topic"]!);
        Assert.StartsWith("echo-", (string)target["run"]!);
        var start = Assert.Single(app.Sidecar.FlowStarts.Snapshot(), s => s.Request.RunId == runId);
        Assert.Equal(runId + ".echo", start.Request.CorrelationId);
    }

    [Fact]
    public async Task Sync_fire_with_one_target_returns_its_output()
    {
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire?mode=sync&timeout=20s", """{"topic":"sync"}""");
        using var response = await app.Public.SendAsync(fire);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Succeeded", (string)body!["status"]!);
        Assert.Equal("sync", (string)body["output"]!["echo"]!["topic"]!);
        Assert.True((long)body["durationMs"]! >= 0);
        Assert.Single(body["targets"]!.AsArray());
    }
}

/// <summary>Parallel fan-out, failures, timeouts and idempotency, end to end.</summary>
public sealed class FanOutEndToEndTests(DispatcherFixture app) : IClassFixture<DispatcherFixture>
{
    [Fact]
    public async Task Sync_fire_with_three_targets_takes_about_the_slowest_not_the_sum()
    {
        var started = DateTime.UtcNow;
        using var fire = DispatcherFixture.Authorized(
            HttpMethod.Post, "/triggers/default/fanout/fire?mode=sync&timeout=30s", """{"alpha":"600","beta":"900","gamma":"1200","topic":"t"}""");
        using var response = await app.Public.SendAsync(fire);
        var elapsed = DateTime.UtcNow - started;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        var targets = body!["targets"]!.AsArray();
        Assert.Equal(["alpha", "beta", "gamma"], targets.Select(t => (string)t!["pipeline"]!).Order());
        Assert.All(targets, t => Assert.Equal("Succeeded", (string)t!["status"]!));
        Assert.Null(body["output"]);
        var sum = TimeSpan.FromMilliseconds(600 + 900 + 1200);
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(1200), $"took {elapsed}, shorter than the slowest flow");
        Assert.True(elapsed < sum * 0.8, $"took {elapsed}; sequential would be {sum}");
    }

    [Fact]
    public async Task A_failing_target_gives_500_with_its_error_and_the_others_results()
    {
        using var fire = DispatcherFixture.Authorized(
            HttpMethod.Post, "/triggers/default/fanout/fire?mode=sync&timeout=30s", """{"failBeta":"model quota exceeded"}""");
        using var response = await app.Public.SendAsync(fire);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Failed", (string)body!["status"]!);
        var targets = body["targets"]!.AsArray().ToDictionary(t => (string)t!["pipeline"]!);
        Assert.Equal("Failed", (string)targets["beta"]!["status"]!);
        Assert.Equal("model quota exceeded", (string)targets["beta"]!["error"]!);
        Assert.Equal("Succeeded", (string)targets["alpha"]!["status"]!);
        Assert.Equal("Succeeded", (string)targets["gamma"]!["status"]!);
    }

    [Fact]
    public async Task Sync_timeout_answers_504_and_the_run_still_completes()
    {
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire?mode=sync&timeout=300ms", """{"_delayMs":1500}""");
        using var response = await app.Public.SendAsync(fire);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("https://arkonis.dev/problems/sync-timeout", (string)problem!["type"]!);
        var statusUrl = (string)problem["statusUrl"]!;
        Assert.False(string.IsNullOrEmpty((string?)problem["runId"]));

        var run = await DispatcherFixture.EventuallyAsync(
            async () =>
            {
                using var read = DispatcherFixture.Authorized(HttpMethod.Get, statusUrl);
                using var answer = await app.Public.SendAsync(read);
                return (await answer.Content.ReadFromJsonAsync<JsonObject>())!;
            },
            r => (string?)r["status"] == "Succeeded",
            TimeSpan.FromSeconds(20),
            "the timed-out run to finish");
        Assert.Equal(1500, (int)run["targets"]![0]!["output"]!["echo"]!["_delayMs"]!);
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_same_run_and_starts_nothing_new()
    {
        var key = "order-" + Guid.NewGuid();
        string? first = null;
        for (var i = 0; i < 3; i++)
        {
            using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire", """{"n":1}""");
            fire.Headers.Add("Idempotency-Key", key);
            using var response = await app.Public.SendAsync(fire);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonObject>();
            first ??= (string)body!["runId"]!;
            Assert.Equal(first, (string)body!["runId"]!);
            Assert.Equal(i > 0, (bool)body["existing"]!);
        }
        // Also after the run finished (daprd would otherwise re-create a completed instance).
        using var sync = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire?mode=sync&timeout=20s", """{"n":2}""");
        sync.Headers.Add("Idempotency-Key", key);
        using var syncResponse = await app.Public.SendAsync(sync);
        Assert.Equal(HttpStatusCode.OK, syncResponse.StatusCode);
        var done = await syncResponse.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(first, (string)done!["runId"]!);
        Assert.Equal(1, (int)done["output"]!["echo"]!["n"]!);
        Assert.Single(app.Sidecar.FlowStarts.Snapshot(), s => s.Request.RunId == first);
    }

    [Fact]
    public async Task Forbid_refuses_a_fire_while_a_run_goes_on_and_accepts_one_after_it()
    {
        using var first = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/exclusive/fire", """{"_delayMs":1500}""");
        using var firstResponse = await app.Public.SendAsync(first);
        Assert.Equal(HttpStatusCode.Accepted, firstResponse.StatusCode);
        var firstRun = (await firstResponse.Content.ReadFromJsonAsync<JsonObject>())!;

        using var second = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/exclusive/fire", "{}");
        using var secondResponse = await app.Public.SendAsync(second);
        Assert.Equal(HttpStatusCode.Conflict, secondResponse.StatusCode);
        var problem = (await secondResponse.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("https://arkonis.dev/problems/concurrency-forbidden", (string)problem["type"]!);
        Assert.Equal([(string)firstRun["runId"]!], problem["activeRuns"]!.AsArray().Select(r => (string)r!));

        await DispatcherFixture.EventuallyAsync(
            async () =>
            {
                using var read = DispatcherFixture.Authorized(HttpMethod.Get, (string)firstRun["statusUrl"]!);
                using var answer = await app.Public.SendAsync(read);
                return (string?)(await answer.Content.ReadFromJsonAsync<JsonObject>())!["status"];
            },
            s => s == "Succeeded",
            TimeSpan.FromSeconds(20),
            "the first run to finish");
        using var third = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/exclusive/fire?mode=sync&timeout=20s", "{}");
        using var thirdResponse = await app.Public.SendAsync(third);
        Assert.Equal(HttpStatusCode.OK, thirdResponse.StatusCode);
    }
}
