namespace Arkonis.Dispatcher.Triggers.Cron;

/// <summary>What the cron trigger had evaluated before it stopped (shared by every replica).</summary>
/// <param name="EvaluatedThrough">Every occurrence up to this time was decided (fired, skipped or handed to a retry); null when never saved.</param>
/// <param name="Schedules">The schedules known then, by <c>namespace/name</c>.</param>
public sealed record CronCheckpoint(DateTimeOffset? EvaluatedThrough, IReadOnlyDictionary<string, SeenSchedule> Schedules)
{
    public static readonly CronCheckpoint Empty = new(null, new Dictionary<string, SeenSchedule>());
}

/// <summary>
/// Where "last evaluated" lives across restarts and replicas. Losing it can only make a replica re-check or skip
/// catch-up; it can never double-fire, because a cron run id is derived from the occurrence.
/// </summary>
public interface ICronCheckpointStore
{
    Task<CronCheckpoint> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Moves the shared watermark forward to <paramref name="evaluatedThrough"/>; never moves it back.</summary>
    Task AdvanceAsync(DateTimeOffset evaluatedThrough, CancellationToken cancellationToken);

    Task SaveSchedulesAsync(IReadOnlyDictionary<string, SeenSchedule> schedules, CancellationToken cancellationToken);
}
