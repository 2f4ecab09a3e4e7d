using System.Net;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Triggers;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Dispatcher.Tests.Triggers.FlowOutput;

/// <summary>
/// ArkEvents chained through flow completions, end to end: the real dispatcher, the real Dapr.Workflow worker and
/// client against the in-process durable-task server, the flow-runner sample, completions delivered as CloudEvents.
/// </summary>
public sealed class ChainFixture : DispatcherFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["TriggerApi:TokenCacheTtl"] = "00:00:00.200",
        ["Triggers:FlowOutput:MaxChainDepth"] = "3",
    };

    protected override IReadOnlyDictionary<string, string> Events => new Dictionary<string, string>
    {
        // A (webhook) -> stage-x; B watches stage-x -> stage-y; C watches stage-y -> stage-z; D waits for stage-z to fail.
        ["a.yaml"] = Event("chain-a", "source: { type: webhook }", "stage-x"),
        ["b.yaml"] = Event("chain-b", "source: { type: flow-output, flow: stage-x }", "stage-y"),
        ["c.yaml"] = Event("chain-c", "source: { type: flow-output, flow: stage-y, onPhase: Succeeded }", "stage-z"),
        ["d.yaml"] = Event("chain-d", "source: { type: flow-output, flow: stage-z, onPhase: Failed }", "stage-never"),
        // A loop admission did not see (the catalog holds what a cluster would hold if the webhook was down):
        // loop-a watches loop-x and starts loop-y; loop-b watches loop-y and starts loop-x again.
        ["kick.yaml"] = Event("loop-kick", "source: { type: webhook }", "loop-x"),
        ["loop-a.yaml"] = Event("loop-a", "source: { type: flow-output, flow: loop-x }", "loop-y"),
        ["loop-b.yaml"] = Event("loop-b", "source: { type: flow-output, flow: loop-y }", "loop-x"),
    };

    protected override IEnumerable<string> TokenSecrets => ["chain-a-webhook-token", "loop-kick-webhook-token"];

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

public sealed class ChainEndToEndTests(ChainFixture app) : IClassFixture<ChainFixture>
{
    [Fact]
    public async Task A_chain_A_B_C_runs_end_to_end_with_outputs_and_depth_travelling_along()
    {
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/chain-a/fire", """{"topic":"chains"}""");
        using var response = await app.Public.SendAsync(fire);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var starts = await DispatcherFixture.EventuallyAsync(
            () => Task.FromResult(app.Sidecar.FlowStarts.Snapshot().Where(s => TopicOf(s.Request.Input) == "chains").ToList()),
            s => s.Any(x => x.Pipeline == "stage-z"),
            TimeSpan.FromSeconds(30),
            "the third stage of the chain to start");

        var x = Assert.Single(starts, s => s.Pipeline == "stage-x");
        var y = Assert.Single(starts, s => s.Pipeline == "stage-y");
        var z = Assert.Single(starts, s => s.Pipeline == "stage-z");
        Assert.Equal([0, 1, 2], new[] { x.Request.ChainDepth, y.Request.ChainDepth, z.Request.ChainDepth });
        Assert.Equal("chain-b", y.Request.EventName);
        Assert.Equal("chain-c", z.Request.EventName);
        Assert.Matches("^default_chain-b_after_[0-9a-f]{16}$", y.Request.RunId);
        Assert.Matches("^default_chain-c_after_[0-9a-f]{16}$", z.Request.RunId);
        // No input mapping: each stage's input is the upstream output ({pipeline, echo: input}), all the way down.
        Assert.Equal("stage-y", (string)z.Request.Input!["pipeline"]!);
        Assert.Equal("stage-x", (string)z.Request.Input["echo"]!["pipeline"]!);
        Assert.Equal("chains", (string)z.Request.Input["echo"]!["echo"]!["topic"]!);

        // stage-z succeeds: the event waiting for its failure never fires.
        var activity = app.Services.GetRequiredService<InMemoryTriggerActivity>();
        await DispatcherFixture.EventuallyAsync(
            () => Task.FromResult(activity.Get("default", "chain-c")),
            s => s.LastRunResult is "Succeeded",
            TimeSpan.FromSeconds(30),
            "the third run to complete");
        Assert.DoesNotContain(app.Sidecar.FlowStarts.Snapshot(), s => s.Pipeline == "stage-never");
    }

    /// <summary>The webhook body's topic, however deep the chain nested it ({pipeline, echo: input} per stage).</summary>
    private static string? TopicOf(System.Text.Json.Nodes.JsonNode? input) =>
        input?["topic"] is { } topic ? (string?)topic : input?["echo"] is { } echo ? TopicOf(echo) : null;

    [Fact]
    public async Task A_redelivered_completion_starts_nothing_new()
    {
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/chain-a/fire", """{"topic":"again"}""");
        using var response = await app.Public.SendAsync(fire);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var firstY = await DispatcherFixture.EventuallyAsync(
            () => Task.FromResult(app.Sidecar.FlowStarts.Snapshot().Where(s => s.Pipeline == "stage-y" && TopicOf(s.Request.Input) == "again").ToList()),
            s => s.Count == 1,
            TimeSpan.FromSeconds(30),
            "stage-y to start");

        // daprd delivers the same stage-x completion again (at-least-once).
        var x = Assert.Single(app.Sidecar.FlowStarts.Snapshot(), s => s.Pipeline == "stage-x" && (string?)s.Request.Input?["topic"] == "again");
        // The flow runner answers a start it has seen with the flow run it made for it: that run's id is the upstream run.
        var upstreamFlowRunId = app.Sidecar.FlowRuns.Accept("default", "stage-x", x.Request).FlowRunId;
        Assert.Equal(Arkonis.Model.Runs.RunIds.ForFlowOutput("default", "chain-b", upstreamFlowRunId), firstY[0].Request.RunId);
        var completion = new System.Text.Json.Nodes.JsonObject
        {
            ["namespace"] = "default",
            ["flow"] = "stage-x",
            ["runId"] = upstreamFlowRunId,
            ["phase"] = "Succeeded",
            ["output"] = firstY[0].Request.Input!.DeepClone(),
            ["completedAt"] = DateTimeOffset.UtcNow.ToString("O"),
            ["correlationId"] = x.Request.CorrelationId,
        };
        var delivery = await app.Sidecar.PubSub.DeliverOnceAsync("arkevent-pubsub", "flow-completed", completion);

        Assert.Equal(200, delivery.HttpStatus);
        Assert.Equal("SUCCESS", delivery.Reply);
        Assert.Single(app.Sidecar.FlowStarts.Snapshot(), s => s.Request.RunId == firstY[0].Request.RunId);
    }

    [Fact]
    public async Task A_loop_that_admission_missed_stops_at_the_chain_depth_limit()
    {
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/loop-kick/fire", "{}");
        using var response = await app.Public.SendAsync(fire);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var activity = app.Services.GetRequiredService<InMemoryTriggerActivity>();
        await DispatcherFixture.EventuallyAsync(
            () => Task.FromResult(activity.Get("default", "loop-b")),
            s => s.LastSkipReason == TriggerSkipReasons.ChainDepth,
            TimeSpan.FromSeconds(30),
            "the loop to be stopped");

        // The kick (depth 0) and three hops (1, 2, 3); the fourth hop is refused.
        var loops = app.Sidecar.FlowStarts.Snapshot().Where(s => s.Pipeline is "loop-x" or "loop-y").Select(s => (s.Pipeline, s.Request.ChainDepth)).Order();
        Assert.Equal([("loop-x", 0), ("loop-x", 2), ("loop-y", 1), ("loop-y", 3)], loops);
        Assert.Equal(2, activity.Get("default", "loop-a").FiredCount);
        Assert.Equal(1, activity.Get("default", "loop-b").FiredCount);
    }
}
