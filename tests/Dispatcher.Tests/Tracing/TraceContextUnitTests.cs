using Arkonis.Dispatcher.Tests.Harness;
using System.Diagnostics;
using System.Text.Json;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Kubernetes;
using Arkonis.Dispatcher.Kubernetes.Completions;
using Arkonis.Dispatcher.Kubernetes.Flows;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Workflows;
using Arkonis.Model.Resources;

namespace Arkonis.Dispatcher.Tests.Tracing;

/// <summary>Where the trace context goes in a cluster (the ArkFlow's annotations) and how cron and flow-output runs start their traces.</summary>
[Collection(GlobalTelemetryCollection.Name)]
public sealed class TraceContextUnitTests : IDisposable
{
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name == DispatcherTracing.SourceName,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public TraceContextUnitTests() => ActivitySource.AddActivityListener(_listener);

    public void Dispose() => _listener.Dispose();

    [Fact]
    public void The_run_ArkFlow_carries_the_flow_starts_context_and_its_completion_brings_it_back()
    {
        using var template = JsonDocument.Parse("""{"spec":{"steps":[]}}""");
        var request = new FlowStartRequest("team-a", "research", "run-1", "run-1.research", [], "hook", 0);

        var flow = ArkFlowRuns.Build(template.RootElement, request, owner: null, (TraceParent, "vendor=1"));
        var annotations = flow["metadata"]!["annotations"]!;
        Assert.Equal(TraceParent, (string?)annotations[ArkonisNames.TraceParentAnnotation]);
        Assert.Equal("vendor=1", (string?)annotations[ArkonisNames.TraceStateAnnotation]);

        flow["status"] = new System.Text.Json.Nodes.JsonObject { ["phase"] = "Succeeded" };
        using var finished = JsonDocument.Parse(flow.ToJsonString());
        var completion = ArkFlowRun.Parse(finished.RootElement).ToCompletion(DateTimeOffset.UnixEpoch);
        Assert.Equal(TraceParent, completion.TraceParent);
        Assert.Equal("vendor=1", completion.TraceState);
    }

    [Fact]
    public void Without_a_trace_the_ArkFlow_gets_no_trace_annotations()
    {
        using var template = JsonDocument.Parse("""{"spec":{}}""");
        var flow = ArkFlowRuns.Build(template.RootElement, new FlowStartRequest("n", "p", "r", "r.p", [], "e", 0), owner: null);
        var annotations = flow["metadata"]!["annotations"]!.AsObject();
        Assert.False(annotations.ContainsKey(ArkonisNames.TraceParentAnnotation));
        Assert.False(annotations.ContainsKey(ArkonisNames.TraceStateAnnotation));
    }

    [Theory]
    [InlineData(SourceTypes.Cron)]
    [InlineData(SourceTypes.FlowOutput)]
    public void Cron_and_flow_output_runs_start_a_trace_of_their_own(string cause)
    {
        using var delivery = new Activity("delivery").Start();
        delivery.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        var trigger = new TriggerContext(cause, DateTimeOffset.UnixEpoch, UpstreamTraceParent: cause == SourceTypes.FlowOutput ? TraceParent : null);

        using var launch = RunTracing.StartLaunch(new FireRequest("run-1", Event(), trigger));

        Assert.NotNull(launch);
        Assert.Equal(default, launch.ParentSpanId);
        Assert.NotEqual(delivery.TraceId, launch.TraceId);
        var linked = launch.Links.Select(l => l.Context.TraceId.ToString()).ToList();
        if (cause == SourceTypes.FlowOutput)
        {
            // Linked to the upstream flow and to the delivery of its completion.
            Assert.Equal([delivery.TraceId.ToString(), "4bf92f3577b34da6a3ce929d0e0e4736"], linked);
        }
        else
        {
            Assert.Empty(linked);
        }
    }

    [Fact]
    public void A_webhook_run_continues_the_callers_trace()
    {
        using var request = new Activity("POST /triggers/{namespace}/{name}/fire").Start();

        using var launch = RunTracing.StartLaunch(new FireRequest("run-1", Event(), new TriggerContext(SourceTypes.Webhook, DateTimeOffset.UnixEpoch)));

        Assert.NotNull(launch);
        Assert.Equal(request.TraceId, launch.TraceId);
        Assert.Equal(request.SpanId, launch.ParentSpanId);
    }

    [Fact]
    public void The_run_span_spans_the_run_and_is_written_only_for_runs_with_a_context()
    {
        var spans = new List<Activity>();
        using var collect = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DispatcherTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if ((string?)activity.GetTagItem(DispatcherTracing.RunIdTag) is "run-traced" or "run-untraced")
                {
                    lock (spans)
                    {
                        spans.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(collect);
        var firedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        RunInput Input(string runId, string? traceParent) =>
            new(runId, "default", "hello", SourceTypes.Webhook, firedAt, [], null, null, 0, 60, traceParent);
        RunResult Result(string runId) =>
            new(runId, "default", "hello", RunStatuses.Failed, firedAt, firedAt.AddSeconds(3), []);

        RunTracing.RunEnded(Input("run-untraced", null), Result("run-untraced"));
        RunTracing.RunEnded(Input("run-traced", TraceParent), Result("run-traced"));

        var run = Assert.Single(spans);
        Assert.Equal("run", run.OperationName);
        Assert.Equal("00f067aa0ba902b7", run.ParentSpanId.ToString());
        Assert.Equal(firedAt.UtcDateTime, run.StartTimeUtc);
        Assert.Equal(TimeSpan.FromSeconds(3), run.Duration);
        Assert.Equal(ActivityStatusCode.Error, run.Status);
    }

    private static ArkEvent Event() => new()
    {
        Metadata = new() { Name = "hello", NamespaceProperty = "default" },
        Spec = new() { Source = new() { Type = SourceTypes.Webhook } },
    };
}
