using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Workflows;
using Arkonis.Model.Runs;
using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Dispatcher.Tests.Workflows;

/// <summary>
/// Exactly one run per cause, without the harness's help. The embedded runtime starts instances by daprd's rule
/// (<see cref="DaprdBehaviour"/>: an active instance id is refused, a completed one is re-created; dapr/dapr
/// <c>pkg/actors/targets/workflow/orchestrator/create.go</c>), so a check-then-schedule launcher would run a duplicate
/// that arrives just after the first run completed. Each test counts what the flow runner was asked to start and what
/// the runtime created.
/// </summary>
public sealed class ExactlyOnceTests(ExactlyOnceTests.Fixture app) : IClassFixture<ExactlyOnceTests.Fixture>
{
    public sealed class Fixture : DispatcherFixture
    {
        protected override IReadOnlyDictionary<string, string> Events => new Dictionary<string, string>(TestEvents.All)
        {
            ["after-echo.yaml"] = """
                apiVersion: arkonis.dev/v1alpha1
                kind: ArkEvent
                metadata: { name: after-echo, namespace: default }
                spec:
                  source: { type: flow-output, flow: upstream-x }
                  targets:
                    - pipeline: downstream-y
                """,
        };
    }

    private async Task<JsonObject> FireAsync(string key)
    {
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire", """{"topic":"once"}""");
        fire.Headers.Add("Idempotency-Key", key);
        using var response = await app.Public.SendAsync(fire);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private Task<WorkflowState> CompletedAsync(string runId) => DispatcherFixture.EventuallyAsync(
        () => app.Services.GetRequiredService<DaprWorkflowClient>().GetWorkflowStateAsync(runId, false),
        s => s is { RuntimeStatus: WorkflowRuntimeStatus.Completed },
        TimeSpan.FromSeconds(30),
        $"run {runId} to complete");

    private int FlowStartsOf(string runId) => app.Sidecar.FlowStarts.Snapshot().Count(s => s.Request.RunId == runId);

    private string[] RuntimeStartsOf(string runId) =>
        [.. app.Sidecar.Daprd.Starts.Where(s => s.InstanceId == runId).Select(s => s.Outcome)];

    [Fact]
    public async Task Twenty_concurrent_fires_with_one_idempotency_key_start_one_run()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => FireAsync("twenty-at-once")));

        var runId = Assert.Single(answers.Select(a => (string)a["runId"]!).Distinct());
        Assert.Single(answers, a => !(bool)a["existing"]!);
        await CompletedAsync(runId);
        Assert.Equal(1, FlowStartsOf(runId));
        Assert.Equal(["created"], RuntimeStartsOf(runId));
    }

    [Fact]
    public async Task A_completion_delivered_twice_at_once_starts_one_downstream_run()
    {
        var completion = new JsonObject
        {
            ["namespace"] = "default",
            ["flow"] = "upstream-x",
            ["runId"] = "upstream-x-twice",
            ["phase"] = "Succeeded",
            ["output"] = new JsonObject { ["n"] = 1 },
            ["completedAt"] = DateTimeOffset.UtcNow.ToString("O"),
        };

        var deliveries = await Task.WhenAll(
            app.Sidecar.PubSub.DeliverOnceAsync("arkevent-pubsub", "flow-completed", completion.DeepClone(), id: "same-message"),
            app.Sidecar.PubSub.DeliverOnceAsync("arkevent-pubsub", "flow-completed", completion.DeepClone(), id: "same-message"));

        Assert.All(deliveries, d => Assert.Equal(200, d.HttpStatus));
        var runId = RunIds.ForFlowOutput("default", "after-echo", "upstream-x-twice");
        await CompletedAsync(runId);
        Assert.Equal(1, FlowStartsOf(runId));
        Assert.Equal(["created"], RuntimeStartsOf(runId));
    }

    [Fact]
    public async Task Two_replicas_ticking_the_same_minute_start_one_run()
    {
        // A second replica: its own launcher (and DaprClient use) against the same sidecar and state store, as two
        // dispatcher pods share one workflow engine and one state store.
        var replicaA = app.Services.GetRequiredService<IRunLauncher>();
        var replicaB = ActivatorUtilities.CreateInstance<WorkflowRunLauncher>(app.Services);
        var nightly = app.Services.GetRequiredService<ArkEventCatalog>().Find("default", "nightly")!.Event;
        var minute = new DateTimeOffset(2026, 6, 1, 3, 0, 0, TimeSpan.Zero);
        var tick = new FireRequest(RunIds.ForCron("default", "nightly", minute), nightly, new TriggerContext("cron", minute));

        var outcomes = await Task.WhenAll(
            replicaA.LaunchAsync(tick, CancellationToken.None),
            replicaB.LaunchAsync(tick, CancellationToken.None));

        Assert.Equal([LaunchOutcome.Started, LaunchOutcome.AlreadyExists], outcomes.Order());
        await CompletedAsync(tick.RunId);
        Assert.Equal(1, FlowStartsOf(tick.RunId));
        Assert.Equal(["created"], RuntimeStartsOf(tick.RunId));
    }

    [Fact]
    public async Task A_duplicate_scheduled_just_after_the_first_run_completed_starts_nothing()
    {
        const string key = "just-after";
        var runId = RunIds.ForIdempotencyKey("default", "hello", key);
        var startsSeen = 0;
        // The interleaving that check-then-schedule loses: both fires see no run; the first creates it and its run
        // completes; only then does the second reach the runtime, which re-creates a completed instance.
        app.Sidecar.Daprd.BeforeStart = async id =>
        {
            if (id != runId)
            {
                return;
            }
            if (Interlocked.Increment(ref startsSeen) == 1)
            {
                await Task.Delay(500);
                return;
            }
            await CompletedAsync(runId);
        };
        try
        {
            var answers = await Task.WhenAll(FireAsync(key), FireAsync(key));
            await CompletedAsync(runId);
            var late = await FireAsync(key);

            Assert.All(answers.Append(late), a => Assert.Equal(runId, (string)a["runId"]!));
            Assert.Single(answers, a => !(bool)a["existing"]!);
            Assert.True((bool)late["existing"]!);
            Assert.Equal(1, FlowStartsOf(runId));
            Assert.Equal(["created"], RuntimeStartsOf(runId));
        }
        finally
        {
            app.Sidecar.Daprd.BeforeStart = null;
        }
    }
}
