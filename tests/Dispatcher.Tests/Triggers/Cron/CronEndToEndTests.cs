using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Triggers.Concurrency;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Triggers;
using Arkonis.Dispatcher.Triggers.Cron;
using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Arkonis.Dispatcher.Tests.Triggers.Cron;

public sealed class CronEndToEndFixture : DispatcherFixture
{
    protected override IReadOnlyDictionary<string, string> Events => new Dictionary<string, string>
    {
        ["every-minute.yaml"] = Event("every-minute", "", "cron-flow"),
        ["after-cron.yaml"] = """
            apiVersion: arkonis.dev/v1alpha1
            kind: ArkEvent
            metadata: { name: after-cron, namespace: default }
            spec:
              source: { type: flow-output, flow: cron-flow }
              targets:
                - pipeline: after-cron-flow
            """,
        ["forbid.yaml"] = Event("forbid", "  concurrencyPolicy: Forbid\n", "slow-flow"),
        ["replace.yaml"] = Event("replace", "  concurrencyPolicy: Replace\n", "slow-flow-2"),
    };

    protected override IEnumerable<string> TokenSecrets => [];

    private static string Event(string name, string extra, string pipeline) => $$"""
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata: { name: {{name}}, namespace: default }
        spec:
          source: { type: cron, cron: "* * * * *", timezone: Europe/Berlin }
        {{extra}}  targets:
            - pipeline: {{pipeline}}
              input:
                _delayMs: "{{(pipeline.StartsWith("slow", StringComparison.Ordinal) ? "30000" : "50")}}"
        """;
}

/// <summary>
/// Cron end to end: replicas of the cron trigger (each its own evaluator on a simulated clock, as each dispatcher pod
/// has its own) launch through the app's real Dapr-Workflow launcher against the in-process durable-task server;
/// flows run in the flow-runner sample, and their completions chain on.
/// </summary>
public sealed class CronEndToEndTests(CronEndToEndFixture app) : IClassFixture<CronEndToEndFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 9, 59, 30, TimeSpan.Zero);

    [Fact]
    public async Task Two_replicas_ticking_together_start_one_workflow_per_occurrence_and_its_completion_chains_on()
    {
        await WaitForCatalogAsync();
        var clock = new FakeTimeProvider(Start);
        var replicas = new[] { Replica(clock), Replica(clock) };

        clock.Advance(TimeSpan.FromSeconds(31)); // 10:00:01
        // At the same moment: the embedded runtime starts instances by daprd's rule (DaprdBehaviour), and the launcher's
        // claim decides which replica starts each occurrence.
        var results = await Task.WhenAll(replicas[0].Ticker.TickAsync(CancellationToken.None), replicas[1].Ticker.TickAsync(CancellationToken.None));

        Assert.Equal(3, results.Sum(r => r.Started)); // every-minute, forbid, replace: one each
        Assert.Equal(3, results.Sum(r => r.AlreadyExisted)); // and each found once by the other replica
        var runId = Arkonis.Model.Runs.RunIds.ForCron("default", "every-minute", new DateTimeOffset(2026, 6, 1, 10, 0, 0, TimeSpan.Zero));
        var after = await DispatcherFixture.EventuallyAsync(
            () => Task.FromResult(app.Sidecar.FlowStarts.Snapshot()),
            s => s.Any(x => x.Pipeline == "after-cron-flow"),
            TimeSpan.FromSeconds(30),
            "the flow-output event to fire after the cron run's flow");
        Assert.Single(after, s => s.Pipeline == "cron-flow" && s.Request.RunId == runId);
        var chained = Assert.Single(after, s => s.Pipeline == "after-cron-flow");
        Assert.Equal(1, chained.Request.ChainDepth);

        // Forbid: the 10:00 run of "forbid" is still running (its flow takes 30 s): 10:01 is skipped, not fired.
        // Replace: the 10:00 run of "replace" is terminated and the 10:01 run starts.
        clock.Advance(TimeSpan.FromMinutes(1)); // 10:01:01
        await replicas[0].Ticker.TickAsync(CancellationToken.None);
        await replicas[1].Ticker.TickAsync(CancellationToken.None);

        var starts = app.Sidecar.FlowStarts.Snapshot();
        Assert.Single(starts, s => s.Pipeline == "slow-flow");
        Assert.Equal(TriggerSkipReasons.Forbid, app.Services.GetRequiredService<InMemoryTriggerActivity>().Get("default", "forbid").LastSkipReason);
        var workflows = app.Services.GetRequiredService<DaprWorkflowClient>();
        var replaced = Arkonis.Model.Runs.RunIds.ForCron("default", "replace", new DateTimeOffset(2026, 6, 1, 10, 0, 0, TimeSpan.Zero));
        await DispatcherFixture.EventuallyAsync(
            async () =>
            {
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                return (await workflows.GetWorkflowStateAsync(replaced, false, deadline.Token))?.RuntimeStatus;
            },
            s => s == WorkflowRuntimeStatus.Terminated,
            TimeSpan.FromSeconds(20),
            "the replaced run to be terminated");
        await DispatcherFixture.EventuallyAsync(
            () => Task.FromResult(app.Sidecar.FlowStarts.Snapshot().Count(s => s.Pipeline == "slow-flow-2")),
            n => n == 2,
            TimeSpan.FromSeconds(30),
            "the replacing run to start its flow");
        Assert.Equal(2, app.Sidecar.FlowStarts.Snapshot().Count(s => s.Pipeline == "cron-flow"));
    }

    [Fact]
    public async Task The_binding_answers_daprd_on_the_callback_port_and_is_not_served_on_the_public_port()
    {
        using var options = await app.Callbacks.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/arkevent-cron"));
        Assert.Equal(System.Net.HttpStatusCode.OK, options.StatusCode);

        // daprd's tick: empty body, JSON content type, its own time headers (which the dispatcher does not trust).
        using var tick = new HttpRequestMessage(HttpMethod.Post, "/arkevent-cron") { Content = new StringContent("", null, "application/json") };
        tick.Headers.Add("Readtimeutc", "1999-01-01T00:00:00Z");
        using var answer = await app.Callbacks.SendAsync(tick);
        Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(body.Contains("\"failed\":0", StringComparison.Ordinal), body);

        using var viaPublic = await app.Public.PostAsync("/arkevent-cron", new StringContent("", null, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, viaPublic.StatusCode);
    }

    private async Task WaitForCatalogAsync() =>
        await DispatcherFixture.EventuallyAsync(
            () => Task.FromResult(app.Catalog.Entries.Count),
            n => n >= 4,
            TimeSpan.FromSeconds(10),
            "the catalog to load");

    private (CronEvaluator Evaluator, CronTicker Ticker) Replica(FakeTimeProvider clock)
    {
        var services = app.Services;
        var options = Options.Create(new CronTriggerOptions());
        var sidecar = Options.Create(new SidecarOptions { CallTimeout = TimeSpan.FromSeconds(5) });
        var evaluator = new CronEvaluator(services.GetRequiredService<ArkEventCatalog>(), clock, options, NullLogger<CronEvaluator>.Instance);
        var gate = new ConcurrencyGate(new RunLedger(services.GetRequiredService<IRunStatusSource>(), sidecar, NullLogger<RunLedger>.Instance));
        var ticker = new CronTicker(evaluator, gate, services.GetRequiredService<IRunLauncher>(), services.GetRequiredService<ITriggerActivity>(),
            new InMemoryCheckpointStore(), services.GetRequiredService<TriggerMetrics>(), clock, options, sidecar, NullLogger<CronTicker>.Instance);
        return (evaluator, ticker);
    }
}
