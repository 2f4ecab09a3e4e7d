using System.Diagnostics;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Model.Resources;

namespace Arkonis.Dispatcher.Flows;

/// <summary>
/// The spans of a flow's completion, on <see cref="DispatcherTracing.Source"/>: <c>flow.completed</c> (received) and,
/// in a cluster, <c>flow.completed.publish</c>.
/// </summary>
internal static class CompletionTracing
{
    /// <summary>
    /// A flow's completion as the dispatcher receives it. When the completion carries the <c>traceParent</c> the flow
    /// was started with, the span is its child, in the run's trace, and links to the delivery (whose context is whatever
    /// the publisher and daprd made of it, possibly unsampled); otherwise it is a child of the delivery.
    /// </summary>
    public static Activity? StartCompletion(FlowCompleted completion, string runId)
    {
        var parent = default(ActivityContext);
        ActivityLink[] links = [];
        if (DispatcherTracing.TryParse(completion.TraceParent, completion.TraceState, out var flow))
        {
            parent = flow;
            links = Activity.Current is { Recorded: true } delivery ? [new ActivityLink(delivery.Context)] : [];
        }
        var activity = DispatcherTracing.Source.StartActivity(
            "flow.completed",
            ActivityKind.Consumer,
            parent,
            [
                new(DispatcherTracing.NamespaceTag, completion.Namespace),
                new(DispatcherTracing.PipelineTag, completion.Flow),
                new(DispatcherTracing.RunIdTag, runId),
                new(DispatcherTracing.FlowPhaseTag, completion.Phase),
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
        DispatcherTracing.Source.StartActivity(
            "flow.completed.publish",
            ActivityKind.Producer,
            DispatcherTracing.ParentOrCurrent(completion.TraceParent, completion.TraceState),
            [
                new(DispatcherTracing.NamespaceTag, completion.Namespace),
                new(DispatcherTracing.PipelineTag, completion.Flow),
                new(DispatcherTracing.RunIdTag, completion.CorrelationId is { } id && CorrelationIds.TryGetRunId(id, out var runId) ? runId : null),
                new(DispatcherTracing.FlowPhaseTag, completion.Phase),
            ]);
}
