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
