namespace Arkonis.Dispatcher.Triggers.Cron;

/// <summary>The checkpoint side of the evaluator: what a restarted or second replica restores, and what it persists.</summary>
public sealed partial class CronEvaluator
{
    /// <summary>
    /// After a restart: events whose schedule was already known (same fingerprint, not suspended) are evaluated from
    /// <paramref name="checkpoint"/>'s watermark (or from when they were first seen, if later) instead of from now, so
    /// occurrences missed while down can still fire within their starting deadline. Events that reach the catalog
    /// later (a slow initial listing) are restored too, until <paramref name="until"/>.
    /// </summary>
    public int Restore(CronCheckpoint checkpoint, DateTimeOffset until)
    {
        if (checkpoint.EvaluatedThrough is not { } watermark)
        {
            return 0;
        }
        var restored = 0;
        lock (_lock)
        {
            _baseline = new Dictionary<string, SeenSchedule>(checkpoint.Schedules, StringComparer.Ordinal);
            _baselineWatermark = watermark;
            _baselineUntil = until;
            foreach (var entry in _entries.Values)
            {
                if (TryRestore(entry))
                {
                    restored++;
                }
            }
        }
        return restored;
    }

    private bool TryRestore(Entry entry)
    {
        var key = KeyText(entry);
        if (!_baseline.Remove(key, out var known) || entry.Suspended || known.Fingerprint != entry.Fingerprint || known.Suspended)
        {
            return false;
        }
        var from = known.SeenAt > _baselineWatermark ? known.SeenAt : _baselineWatermark;
        if (from >= entry.EvaluatedThrough)
        {
            return false;
        }
        entry.SeenAt = known.SeenAt < entry.SeenAt ? known.SeenAt : entry.SeenAt;
        entry.EvaluatedThrough = from;
        entry.NextDue = null;
        if (entry.Schedule.GetNextOccurrence(from) is { } next)
        {
            Enqueue(entry, next);
        }
        return true;
    }

    /// <summary>The known schedules to persist, when they changed since the last call; otherwise null.</summary>
    public IReadOnlyDictionary<string, SeenSchedule>? TakeChangedSchedules()
    {
        lock (_lock)
        {
            if (!_schedulesDirty)
            {
                return null;
            }
            _schedulesDirty = false;
            var snapshot = new Dictionary<string, SeenSchedule>(_entries.Count, StringComparer.Ordinal);
            if (_time.GetUtcNow() < _baselineUntil)
            {
                // Not yet listed here: keep what the checkpoint knew, or a partial listing would erase it.
                foreach (var (key, known) in _baseline)
                {
                    snapshot[key] = known;
                }
            }
            foreach (var entry in _entries.Values)
            {
                snapshot[KeyText(entry)] = new SeenSchedule(entry.Fingerprint, entry.SeenAt, entry.Suspended);
            }
            return snapshot;
        }
    }

    /// <summary>Marks the schedules as not yet persisted (the save failed).</summary>
    public void MarkSchedulesDirty()
    {
        lock (_lock)
        {
            _schedulesDirty = true;
        }
    }
}
