using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Triggers.Concurrency;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Tests.Triggers.Cron;
using Arkonis.Dispatcher.Triggers;
using Arkonis.Dispatcher.Triggers.Cron;
using Arkonis.Dispatcher.Triggers.FlowOutput;
using Arkonis.Model.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Arkonis.Dispatcher.Tests.Triggers.FlowOutput;

public sealed class FlowOutputTriggerTests : IDisposable
{
    private static readonly DateTimeOffset CompletedAt = new(2026, 6, 1, 9, 30, 0, TimeSpan.Zero);

    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ArkEventCatalog _catalog = new();
    private readonly FakeRunEngine _engine = new();
    private readonly RecordingActivity _activity = new();
    private readonly MetricRecorder _recorder;
    private readonly FlowOutputIndex _index;
    private readonly FlowOutputTrigger _trigger;

    public FlowOutputTriggerTests()
    {
        var factory = _meters.GetRequiredService<IMeterFactory>();
        _recorder = new MetricRecorder(factory);
        _index = new FlowOutputIndex(_catalog);
        var gate = new ConcurrencyGate(new RunLedger(_engine, Options.Create(new SidecarOptions()), NullLogger<RunLedger>.Instance));
        _trigger = new FlowOutputTrigger(_index, gate, _engine, _activity, new TriggerMetrics(factory), new FakeTimeProvider(CompletedAt),
            Options.Create(new FlowOutputOptions { MaxChainDepth = 3 }), NullLogger<FlowOutputTrigger>.Instance);
    }

    [Fact]
    public async Task A_completion_fires_the_watching_event_with_the_upstream_output_and_a_deterministic_run_id()
    {
        _catalog.Upsert(TestEvents.Entry(TestEvents.FlowOutput("after-research", "research-flow")));

        await _trigger.OnFlowCompletedAsync(Completion("research-flow", "ai-team.kickoff.cron.20260601T0900Z"), CancellationToken.None);

        var run = Assert.Single(_engine.Started);
        Assert.Equal(RunIds.ForFlowOutput("ai-team", "after-research", "ai-team.kickoff.cron.20260601T0900Z"), run.RunId);
        Assert.Equal("flow-output", run.Trigger.Cause);
        Assert.Equal(CompletedAt, run.Trigger.FiredAt);
        Assert.Equal("summary", run.Trigger.Output?["text"]?.GetValue<string>());
        Assert.Equal(1, run.Trigger.ChainDepth);
    }

    [Fact]
    public async Task A_redelivered_completion_starts_one_run()
    {
        _catalog.Upsert(TestEvents.Entry(TestEvents.FlowOutput("after-research", "research-flow")));
        var completion = Completion("research-flow", "upstream-1");

        for (var i = 0; i < 3; i++)
        {
            await _trigger.OnFlowCompletedAsync(completion, CancellationToken.None);
        }

        Assert.Single(_engine.Started);
        Assert.Equal(3, _engine.Attempts);
        Assert.Equal(1, _recorder.Sum("arkevent.trigger.fires"));
    }

    [Fact]
    public async Task A_redelivered_completion_is_not_a_forbid_skip_of_its_own_run()
    {
        _catalog.Upsert(TestEvents.Entry(TestEvents.FlowOutput("after-research", "research-flow", policy: "Forbid")));
        var completion = Completion("research-flow", "upstream-1");

        await _trigger.OnFlowCompletedAsync(completion, CancellationToken.None);
        await _trigger.OnFlowCompletedAsync(completion, CancellationToken.None);

        Assert.Single(_engine.Started);
        Assert.Empty(_activity.Skipped);
    }

    [Fact]
    public async Task Forbid_skips_a_second_upstream_completion_while_the_first_run_is_going()
    {
        _catalog.Upsert(TestEvents.Entry(TestEvents.FlowOutput("after-research", "research-flow", policy: "Forbid")));

        await _trigger.OnFlowCompletedAsync(Completion("research-flow", "upstream-1"), CancellationToken.None);
        await _trigger.OnFlowCompletedAsync(Completion("research-flow", "upstream-2"), CancellationToken.None);

        Assert.Single(_engine.Started);
        Assert.Equal([("after-research", TriggerSkipReasons.Forbid)], _activity.Skipped.Select(s => (s.Event, s.Reason)));
    }

    [Fact]
    public async Task A_failed_completion_fires_only_events_waiting_for_failure()
    {
        _catalog.Upsert(TestEvents.Entry(TestEvents.FlowOutput("on-success", "research-flow")));
        _catalog.Upsert(TestEvents.Entry(TestEvents.FlowOutput("on-success-explicit", "research-flow", onPhase: "Succeeded")));
        _catalog.Upsert(TestEvents.Entry(TestEvents.FlowOutput("on-failure", "research-flow", onPhase: "Failed")));

        await _trigger.OnFlowCompletedAsync(Completion("research-flow", "upstream-1", phase: "Failed"), CancellationToken.None);

        Assert.Equal(["on-failure"], _engine.Started.Select(r => r.Event.Name));

        await _trigger.OnFlowCompletedAsync(Completion("research-flow", "upstream-2"), CancellationToken.None);
        Assert.Equal(["on-failure", "on-success", "on-success-explicit"], _engine.Started.Select(r => r.Event.Name).Order());
    }

    [Fact]
    public async Task Completions_of_other_flows_or_namespaces_are_ignored()
    {
        _catalog.Upsert(TestEvents.Entry(TestEvents.FlowOutput("after-research", "research-flow")));
        _catalog.Upsert(TestEvents.Entry(TestEvents.Cron("cron", "* * * * *")));

        await _trigger.OnFlowCompletedAsync(Completion("other-flow", "u1"), CancellationToken.None);
        await _trigger.OnFlowCompletedAsync(Completion("research-flow", "u2", ns: "other-team"), CancellationToken.None);

        Assert.Empty(_engine.Started);
    }

    [Fact]
    public async Task The_index_follows_catalog_changes()
    {
        _catalog.Upsert(TestEvents.Entry(TestEvents.FlowOutput("chained", "research-flow")));
        _catalog.Upsert(TestEvents.Entry(TestEvents.FlowOutput("chained", "writing-flow"))); // now watches another flow
        _catalog.Upsert(TestEvents.Entry(TestEvents.FlowOutput("removed", "writing-flow")));
        _catalog.Remove("ai-team", "removed");
        _catalog.Upsert(new CatalogEntry(TestEvents.FlowOutput("invalid", "writing-flow"), ["spec.targets: Required value"]));

        await _trigger.OnFlowCompletedAsync(Completion("research-flow", "u1"), CancellationToken.None);
        await _trigger.OnFlowCompletedAsync(Completion("writing-flow", "u2"), CancellationToken.None);

        Assert.Equal(["chained"], _engine.Started.Select(r => r.Event.Name));
        Assert.Equal(RunIds.ForFlowOutput("ai-team", "chained", "u2"), _engine.Started[0].RunId);
    }

    [Fact]
    public async Task The_chain_depth_limit_stops_a_runaway_loop()
    {
        _catalog.Upsert(TestEvents.Entry(TestEvents.FlowOutput("loop", "loop-flow", pipeline: "loop-flow")));

        await _trigger.OnFlowCompletedAsync(Completion("loop-flow", "u2", chainDepth: 2), CancellationToken.None); // depth 3: at the limit
        await _trigger.OnFlowCompletedAsync(Completion("loop-flow", "u3", chainDepth: 3), CancellationToken.None); // depth 4: over it

        var run = Assert.Single(_engine.Started);
        Assert.Equal(3, run.Trigger.ChainDepth);
        Assert.Equal([("loop", TriggerSkipReasons.ChainDepth)], _activity.Skipped.Select(s => (s.Event, s.Reason)));
        Assert.Equal(1, _recorder.Sum("arkevent.trigger.skips", TriggerSkipReasons.ChainDepth));
    }

    [Fact]
    public async Task A_suspended_event_is_skipped()
    {
        _catalog.Upsert(TestEvents.Entry(TestEvents.FlowOutput("paused", "research-flow", suspend: true)));

        await _trigger.OnFlowCompletedAsync(Completion("research-flow", "u1"), CancellationToken.None);

        Assert.Empty(_engine.Started);
        Assert.Equal(1, _recorder.Sum("arkevent.trigger.skips", TriggerSkipReasons.Suspended));
    }

    [Fact]
    public async Task A_launch_failure_asks_for_redelivery_after_trying_every_event_and_the_redelivery_completes_the_rest()
    {
        _catalog.Upsert(TestEvents.Entry(TestEvents.FlowOutput("first", "research-flow")));
        _catalog.Upsert(TestEvents.Entry(TestEvents.FlowOutput("second", "research-flow")));
        var failOnce = true;
        _engine.FailWith = r => r.Event.Name == "second" && failOnce ? new TimeoutException("sidecar unavailable") : null;
        var completion = Completion("research-flow", "u1");

        await Assert.ThrowsAsync<AggregateException>(() => _trigger.OnFlowCompletedAsync(completion, CancellationToken.None));
        Assert.Equal(["first"], _engine.Started.Select(r => r.Event.Name));

        failOnce = false;
        await _trigger.OnFlowCompletedAsync(completion, CancellationToken.None);
        Assert.Equal(["first", "second"], _engine.Started.Select(r => r.Event.Name));
    }

    public void Dispose()
    {
        _recorder.Dispose();
        _index.Dispose();
        _meters.Dispose();
    }

    private static FlowCompleted Completion(string flow, string runId, string phase = "Succeeded", string ns = "ai-team", int? chainDepth = null) =>
        new(ns, flow, runId, phase, new JsonObject { ["text"] = "summary" }, phase == "Failed" ? "boom" : null, CompletedAt, runId + "." + flow, chainDepth);
}
