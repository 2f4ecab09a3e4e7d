using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Runs;

namespace Arkonis.Dispatcher.Triggers.Webhook;

/// <summary>202 body of an async fire.</summary>
public sealed record FireAccepted(string RunId, string Trigger, IReadOnlyList<string> Targets, string StatusUrl, bool Existing);

/// <summary>One target in a run answer.</summary>
/// <param name="Pipeline">The target pipeline.</param>
/// <param name="Run">The flow run the runner started.</param>
/// <param name="Status">Pending, Running, Succeeded, Failed or TimedOut.</param>
/// <param name="Output">The flow's output.</param>
/// <param name="Error">Why the target failed.</param>
public sealed record TargetView(string Pipeline, string? Run, string Status, JsonNode? Output, string? Error, DateTimeOffset? CompletedAt);

/// <summary>A run as the API shows it: the sync fire's 200/500 body and the run endpoint's body.</summary>
public sealed record RunView(
    string RunId,
    string Trigger,
    string Status,
    DateTimeOffset FiredAt,
    DateTimeOffset? CompletedAt,
    long? DurationMs,
    JsonNode? Output,
    IReadOnlyList<TargetView> Targets,
    string StatusUrl)
{
    public static RunView From(RunResult run, string statusUrl) => new(
        run.RunId,
        $"{run.Namespace}/{run.EventName}",
        run.Status,
        run.FiredAt,
        run.CompletedAt,
        run.DurationMs,
        // With one target its output is the run's output; with several, see targets[].
        run.Targets.Count == 1 ? run.Targets[0].Output : null,
        [.. run.Targets.Select(t => new TargetView(t.Pipeline, t.FlowRunId, t.Status, t.Output, t.Error, t.CompletedAt))],
        statusUrl);
}
