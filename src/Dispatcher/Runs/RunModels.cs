using System.Text.Json.Nodes;

namespace Arkonis.Dispatcher.Runs;

/// <summary>The states of a run and of each target in it.</summary>
public static class RunStatuses
{
    public const string Pending = "Pending";
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";

    /// <summary>A target whose completion did not arrive before its deadline.</summary>
    public const string TimedOut = "TimedOut";
}

/// <summary>One target as the workflow receives it: the pipeline and its (unrendered) input templates.</summary>
public sealed record RunTarget(string Pipeline, IDictionary<string, string>? Input);

/// <summary>The workflow input: everything a run needs, fixed when it is launched (replays see the same).</summary>
/// <remarks>
/// <c>TraceParent</c>/<c>TraceState</c>: the W3C trace context of the run's launch, the parent of its spans (runs
/// launched before tracing have none). Fields added later are optional, so the inputs of runs in flight still read.
/// </remarks>
public sealed record RunInput(
    string RunId,
    string Namespace,
    string EventName,
    string Cause,
    DateTimeOffset FiredAt,
    IReadOnlyList<RunTarget> Targets,
    JsonNode? Body,
    JsonNode? Output,
    int ChainDepth,
    int TargetTimeoutSeconds,
    string? TraceParent = null,
    string? TraceState = null);

/// <summary>What happened to one target flow.</summary>
/// <param name="Pipeline">The target pipeline.</param>
/// <param name="Status">Pending, Running, Succeeded, Failed or TimedOut.</param>
/// <param name="FlowRunId">The flow run the runner started (from its completion message).</param>
/// <param name="Output">The flow's output.</param>
/// <param name="Error">Why it failed, as the flow runner reported it.</param>
/// <param name="CompletedAt">When the flow finished.</param>
public sealed record TargetResult(
    string Pipeline,
    string Status,
    string? FlowRunId = null,
    JsonNode? Output = null,
    string? Error = null,
    DateTimeOffset? CompletedAt = null);

/// <summary>A run's state: the workflow's custom status while it runs, and its output when done.</summary>
public sealed record RunResult(
    string RunId,
    string Namespace,
    string EventName,
    string Status,
    DateTimeOffset FiredAt,
    DateTimeOffset? CompletedAt,
    IReadOnlyList<TargetResult> Targets)
{
    public long? DurationMs => CompletedAt is { } done ? (long)(done - FiredAt).TotalMilliseconds : null;
}
