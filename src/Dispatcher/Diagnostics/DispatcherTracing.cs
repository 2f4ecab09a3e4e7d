using System.Diagnostics;

namespace Arkonis.Dispatcher.Diagnostics;

/// <summary>
/// The dispatcher's one <see cref="ActivitySource"/>, <c>Arkonis.Dispatcher</c> (named like its meter), its tag names
/// and the W3C context helpers. The spans come in groups beside the code they trace, each started from
/// <see cref="Source"/>: <c>RunTracing</c> (<c>run.start</c>, <c>flow.start</c>, <c>run</c>) and <c>CompletionTracing</c>
/// (<c>flow.completed</c>, <c>flow.completed.publish</c>).
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

    /// <summary>The source every span of the dispatcher starts from.</summary>
    internal static ActivitySource Source { get; } = new(SourceName);

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

    /// <summary>The parsed context, or default (which makes <see cref="Activity.Current"/> the parent).</summary>
    public static ActivityContext ParentOrCurrent(string? traceParent, string? traceState) =>
        TryParse(traceParent, traceState, out var parent) ? parent : default;
}
