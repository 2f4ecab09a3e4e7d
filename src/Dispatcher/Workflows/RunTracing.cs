using System.Diagnostics;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Runs;
using Arkonis.Model.Resources;

namespace Arkonis.Dispatcher.Workflows;

/// <summary>
/// A run's spans: <c>run.start</c> (the launch), <c>flow.start</c> (one per target and attempt, a client span) and
/// <c>run</c> (the whole run, written when it ends), on <see cref="DispatcherTracing.Source"/>.
/// <para>
/// A workflow replays and its activities may run on another replica, so <see cref="Activity.Current"/> cannot carry a
/// run's trace: the launch writes its W3C context into the run's input (<see cref="RunInput.TraceParent"/>), and the
/// workflow's spans name that context as their parent explicitly.
/// </para>
/// </summary>
internal static class RunTracing
{
    /// <summary>
    /// The launch of one run. A webhook's is a child of the caller's request; a cron or flow-output fire starts a trace
    /// of its own (a flow-output one linked to the upstream flow and to the delivery of its completion).
    /// </summary>
    public static Activity? StartLaunch(FireRequest request)
    {
        var links = new List<ActivityLink>();
        if (request.Trigger.Cause != SourceTypes.Webhook)
        {
            if (Activity.Current is { Recorded: true } delivery && request.Trigger.Cause == SourceTypes.FlowOutput)
            {
                links.Add(new ActivityLink(delivery.Context));
            }
            if (DispatcherTracing.TryParse(request.Trigger.UpstreamTraceParent, null, out var upstream))
            {
                links.Add(new ActivityLink(upstream));
            }
            // A new root: whatever request or timer is current (a cron tick, a pub/sub delivery) is not the run's cause.
            Activity.Current = null;
        }
        return DispatcherTracing.Source.StartActivity(
            "run.start",
            ActivityKind.Internal,
            parentContext: default,
            [
                new(DispatcherTracing.NamespaceTag, request.Event.Namespace),
                new(DispatcherTracing.EventTag, request.Event.Name),
                new(DispatcherTracing.RunIdTag, request.RunId),
                new(DispatcherTracing.CauseTag, request.Trigger.Cause),
            ],
            links);
    }

    /// <summary>The start of one target flow: a client span, child of the run's context from the workflow input.</summary>
    public static Activity? StartFlowStart(string? traceParent, string? traceState, string @namespace, string eventName, string runId, string pipeline) =>
        DispatcherTracing.Source.StartActivity(
            "flow.start",
            ActivityKind.Client,
            DispatcherTracing.ParentOrCurrent(traceParent, traceState),
            [
                new(DispatcherTracing.NamespaceTag, @namespace),
                new(DispatcherTracing.EventTag, eventName),
                new(DispatcherTracing.RunIdTag, runId),
                new(DispatcherTracing.PipelineTag, pipeline),
            ]);

    /// <summary>
    /// The whole run, from its fire to its end, written once when the workflow finishes (never while it replays), as a
    /// child of the launch. Runs launched before tracing carry no context and write nothing.
    /// </summary>
    public static void RunEnded(RunInput input, RunResult result)
    {
        if (!DispatcherTracing.TryParse(input.TraceParent, input.TraceState, out var parent))
        {
            return;
        }
        using var run = DispatcherTracing.Source.StartActivity(
            "run",
            ActivityKind.Internal,
            parent,
            [
                new(DispatcherTracing.NamespaceTag, input.Namespace),
                new(DispatcherTracing.EventTag, input.EventName),
                new(DispatcherTracing.RunIdTag, input.RunId),
                new(DispatcherTracing.CauseTag, input.Cause),
                new(DispatcherTracing.RunStatusTag, result.Status),
            ],
            startTime: input.FiredAt);
        if (run is null)
        {
            return;
        }
        if (result.Status != RunStatuses.Succeeded)
        {
            run.SetStatus(ActivityStatusCode.Error, result.Status);
        }
        if (result.CompletedAt is { } end && end > input.FiredAt)
        {
            run.SetEndTime(end.UtcDateTime);
        }
    }
}
