using System.Diagnostics;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Runs;
using Arkonis.Model.Resources;

namespace Arkonis.Dispatcher.Diagnostics;

/// <summary>
/// The dispatcher's one <see cref="ActivitySource"/>, <c>Arkonis.Dispatcher</c> (named like its meter), and the spans a
/// run makes: <c>run.start</c> (the launch), <c>flow.start</c> (one per target, a client span), <c>run</c> (the whole
/// run, written when it ends) and <c>flow.completed</c> (a completion, a child of the flow start it answers).
/// <para>
/// A workflow replays and its activities may run on another replica, so <see cref="Activity.Current"/> cannot carry a
/// run's trace: the launch writes the W3C <c>traceparent</c>/<c>tracestate</c> into the run's input, and the workflow's
/// spans name that context as their parent explicitly. Tags are the namespace, event, run id, pipeline, cause and
/// outcome; never a token, a body, an output or a header.
/// </para>
/// </summary>
public static class DispatcherTracing
{
    public const string SourceName = DispatcherMeter.Name;

    public const string NamespaceTag = "arkevent.namespace";
    public const string EventTag = "arkevent.event";
    public const string RunIdTag = "arkevent.run.id";
    public const string CauseTag = "arkevent.cause";
    public const string PipelineTag = "arkevent.pipeline";
    public const string OutcomeTag = "arkevent.outcome";
    public const string RunStatusTag = "arkevent.run.status";
    public const string FlowPhaseTag = "arkevent.flow.phase";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// The launch of one run. A webhook's is a child of the caller's request; a cron or flow-output fire starts a trace
    /// of its own (a flow-output one linked to the upstream flow and to the delivery of its completion).
    /// </summary>
    public static Activity? StartLaunch(FireRequest request)
    {
        var links = new List<ActivityLink>();
        if (request.Trigger.Cause != SourceTypes.Webhook)
        {
            if (Activity.Current is { } delivery && request.Trigger.Cause == SourceTypes.FlowOutput)
            {
                links.Add(new ActivityLink(delivery.Context));
            }
            if (TryParse(request.Trigger.UpstreamTraceParent, null, out var upstream))
            {
                links.Add(new ActivityLink(upstream));
            }
            // A new root: whatever request or timer is current (a cron tick, a pub/sub delivery) is not the run's cause.
            Activity.Current = null;
        }
        return Source.StartActivity(
            "run.start",
            ActivityKind.Internal,
            parentContext: default,
            [
                new(NamespaceTag, request.Event.Namespace),
                new(EventTag, request.Event.Name),
                new(RunIdTag, request.RunId),
                new(CauseTag, request.Trigger.Cause),
            ],
            links);
    }

    /// <summary>The start of one target flow: a client span, child of the run's context from the workflow input.</summary>
    public static Activity? StartFlowStart(string? traceParent, string? traceState, string @namespace, string eventName, string runId, string pipeline) =>
        Source.StartActivity(
            "flow.start",
            ActivityKind.Client,
            ParentOrCurrent(traceParent, traceState),
            [
                new(NamespaceTag, @namespace),
                new(EventTag, eventName),
                new(RunIdTag, runId),
                new(PipelineTag, pipeline),
            ]);

    /// <summary>
    /// The whole run, from its fire to its end, written once when the workflow finishes (never while it replays), as a
    /// child of the launch. Runs launched before tracing carry no context and write nothing.
    /// </summary>
    public static void RunEnded(RunInput input, RunResult result)
    {
        if (!TryParse(input.TraceParent, input.TraceState, out var parent))
        {
            return;
        }
        using var run = Source.StartActivity(
            "run",
            ActivityKind.Internal,
            parent,
            [
                new(NamespaceTag, input.Namespace),
                new(EventTag, input.EventName),
                new(RunIdTag, input.RunId),
                new(CauseTag, input.Cause),
                new(RunStatusTag, result.Status),
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

    /// <summary>
    /// A flow's completion as the dispatcher receives it. When the completion carries the <c>traceParent</c> the flow
    /// was started with, the span is its child, in the run's trace, and links to the delivery (whose context is whatever
    /// the publisher and daprd made of it, possibly unsampled); otherwise it is a child of the delivery.
    /// </summary>
    public static Activity? StartCompletion(FlowCompleted completion, string runId)
    {
        var parent = default(ActivityContext);
        ActivityLink[] links = [];
        if (TryParse(completion.TraceParent, completion.TraceState, out var flow))
        {
            parent = flow;
            links = Activity.Current is { Recorded: true } delivery ? [new ActivityLink(delivery.Context)] : [];
        }
        var activity = Source.StartActivity(
            "flow.completed",
            ActivityKind.Consumer,
            parent,
            [
                new(NamespaceTag, completion.Namespace),
                new(PipelineTag, completion.Flow),
                new(RunIdTag, runId),
                new(FlowPhaseTag, completion.Phase),
            ],
            links);
        if (completion.Phase != FlowPhases.Succeeded)
        {
            activity?.SetStatus(ActivityStatusCode.Error, completion.Phase);
        }
        return activity;
    }

    /// <summary>
    /// The publication of a completion the dispatcher read from a finished ArkFlow (cluster mode): a producer span, child
    /// of the flow's start (its annotation), so that daprd's CloudEvent carries the run's trace.
    /// </summary>
    public static Activity? StartCompletionPublish(FlowCompleted completion) =>
        Source.StartActivity(
            "flow.completed.publish",
            ActivityKind.Producer,
            ParentOrCurrent(completion.TraceParent, completion.TraceState),
            [
                new(NamespaceTag, completion.Namespace),
                new(PipelineTag, completion.Flow),
                new(RunIdTag, completion.CorrelationId is { } id && CorrelationIds.TryGetRunId(id, out var runId) ? runId : null),
                new(FlowPhaseTag, completion.Phase),
            ]);

    /// <summary>Marks a span failed with the exception's type only (its message may quote a request).</summary>
    public static void Failed(this Activity? activity, Exception exception) =>
        activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);

    /// <summary>The current W3C context as <c>traceparent</c> and <c>tracestate</c>, or nulls when there is none.</summary>
    public static (string? TraceParent, string? TraceState) Current() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current
            ? (current.Id, string.IsNullOrEmpty(current.TraceStateString) ? null : current.TraceStateString)
            : (null, null);

    /// <summary>Parses a W3C <c>traceparent</c> (and <c>tracestate</c>) into a remote parent context.</summary>
    public static bool TryParse(string? traceParent, string? traceState, out ActivityContext context)
    {
        context = default;
        return !string.IsNullOrEmpty(traceParent) && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out context);
    }

    private static ActivityContext ParentOrCurrent(string? traceParent, string? traceState) =>
        TryParse(traceParent, traceState, out var parent) ? parent : default;
}
