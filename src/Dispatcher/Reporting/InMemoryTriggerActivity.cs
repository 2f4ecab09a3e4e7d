using System.Collections.Concurrent;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Model.Resources;

namespace Arkonis.Dispatcher.Reporting;

/// <summary>What a trigger did, as remembered locally.</summary>
public sealed record TriggerActivitySnapshot(
    long FiredCount,
    DateTimeOffset? LastFiredAt,
    string? LastRunId,
    string? LastRunResult,
    DateTimeOffset? LastCompletedAt,
    string? LastSkipReason);

/// <summary>The local <see cref="ITriggerActivity"/>: a log line for each fact, and counters in memory.</summary>
public sealed class InMemoryTriggerActivity(ILogger<InMemoryTriggerActivity> logger) : ITriggerActivity
{
    private readonly ConcurrentDictionary<(string Namespace, string Name), TriggerActivitySnapshot> _state = new();

    private static readonly TriggerActivitySnapshot Empty = new(0, null, null, null, null, null);

    public TriggerActivitySnapshot Get(string @namespace, string name) => _state.GetValueOrDefault((@namespace, name), Empty);

    public void Fired(ArkEvent arkEvent, string runId, DateTimeOffset firedAt)
    {
        logger.TriggerFired(arkEvent.Namespace, arkEvent.Name, runId);
        _state.AddOrUpdate(
            (arkEvent.Namespace, arkEvent.Name),
            _ => Empty with { FiredCount = 1, LastFiredAt = firedAt, LastRunId = runId, LastRunResult = "Running" },
            (_, s) => s with { FiredCount = s.FiredCount + 1, LastFiredAt = firedAt, LastRunId = runId, LastRunResult = "Running" });
    }

    public void Skipped(ArkEvent arkEvent, string reason, DateTimeOffset at)
    {
        logger.TriggerSkipped(arkEvent.Namespace, arkEvent.Name, reason);
        _state.AddOrUpdate((arkEvent.Namespace, arkEvent.Name), _ => Empty with { LastSkipReason = reason }, (_, s) => s with { LastSkipReason = reason });
    }

    public void Completed(ArkEvent arkEvent, string runId, string result, DateTimeOffset completedAt)
    {
        logger.TriggerRunCompleted(runId, arkEvent.Namespace, arkEvent.Name, result);
        _state.AddOrUpdate(
            (arkEvent.Namespace, arkEvent.Name),
            _ => Empty with { LastRunId = runId, LastRunResult = result, LastCompletedAt = completedAt },
            (_, s) => s with { LastRunId = runId, LastRunResult = result, LastCompletedAt = completedAt });
    }

    public void Failed(ArkEvent arkEvent, string runId, string message, DateTimeOffset at)
    {
        logger.TriggerFailed(arkEvent.Namespace, arkEvent.Name, runId, message);
        _state.AddOrUpdate(
            (arkEvent.Namespace, arkEvent.Name),
            _ => Empty with { LastRunId = runId, LastRunResult = "Failed", LastCompletedAt = at },
            (_, s) => s with { LastRunId = runId, LastRunResult = "Failed", LastCompletedAt = at });
    }
}
