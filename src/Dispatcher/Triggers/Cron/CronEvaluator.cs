using Arkonis.Dispatcher.Catalog;
using Arkonis.Model.Resources;
using Arkonis.Model.Schedules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Triggers.Cron;

/// <summary>
/// Works out which cron ArkEvents are due. Each valid cron event is parsed once (when it enters or changes in the
/// catalog) and sits in a priority queue keyed by its next occurrence, so a tick touches only the events that are due.
/// Pure in-memory bookkeeping: launching, policies and persistence are the <see cref="CronTicker"/>'s.
/// </summary>
public sealed partial class CronEvaluator : IDisposable
{
    private readonly ArkEventCatalog _catalog;
    private readonly TimeProvider _time;
    private readonly CronTriggerOptions _options;
    private readonly ILogger<CronEvaluator> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Namespace, string Name), Entry> _entries = [];
    private readonly PriorityQueue<(Entry Entry, long Ticket), DateTimeOffset> _queue = new();
    private bool _schedulesDirty = true;
    private Dictionary<string, SeenSchedule> _baseline = [];
    private DateTimeOffset _baselineWatermark;
    private DateTimeOffset _baselineUntil;

    public CronEvaluator(ArkEventCatalog catalog, TimeProvider time, IOptions<CronTriggerOptions> options, ILogger<CronEvaluator> logger)
    {
        _catalog = catalog;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _catalog.Changed += OnCatalogChanged;
        foreach (var entry in _catalog.Entries)
        {
            Upsert(entry);
        }
    }

    /// <summary>How many cron events are being scheduled.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>When the event fires next; null when it is not a valid cron event, is suspended, or never fires again.</summary>
    public DateTimeOffset? NextFireAt(string @namespace, string name)
    {
        lock (_lock)
        {
            return _entries.TryGetValue((@namespace, name), out var entry) && !entry.Suspended ? entry.NextDue : null;
        }
    }

    /// <summary>Decides every occurrence due at <paramref name="now"/> and moves each due event to its next occurrence.</summary>
    public CronEvaluation Evaluate(DateTimeOffset now)
    {
        List<CronFire> fires = [];
        List<CronSkip> skips = [];
        lock (_lock)
        {
            while (_queue.TryPeek(out var item, out var due) && due <= now)
            {
                _queue.Dequeue();
                var entry = item.Entry;
                if (item.Ticket != entry.Ticket)
                {
                    continue; // superseded by a change, a removal or a retry
                }
                EvaluateEntry(entry, due, now, fires, skips);
            }
            if (_queue.Count > (2 * _entries.Count) + 1024)
            {
                RebuildQueue();
            }
        }
        return new CronEvaluation(fires, skips);
    }

    /// <summary>A launch failed: try the occurrence again on the next tick (it fires if still within its deadline).</summary>
    public void Retry(CronFire fire)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue((fire.Event.Namespace, fire.Event.Name), out var entry) && entry.SpecVersion == fire.SpecVersion && !entry.Suspended)
            {
                entry.EvaluatedThrough = fire.Scheduled.AddTicks(-1);
                entry.LastScheduled = fire.PreviousScheduled;
                Enqueue(entry, fire.Scheduled);
            }
        }
    }

    /// <summary>The latest occurrence strictly before <paramref name="scheduled"/> (looked back up to 31 days), for runs started before this replica knew the event.</summary>
    public DateTimeOffset? PreviousOccurrence(ArkEvent arkEvent, DateTimeOffset scheduled)
    {
        CronSchedule? schedule;
        lock (_lock)
        {
            schedule = _entries.TryGetValue((arkEvent.Namespace, arkEvent.Name), out var entry) ? entry.Schedule : null;
        }
        return schedule?.GetLatestOccurrence(scheduled - TimeSpan.FromDays(31), scheduled.AddTicks(-1));
    }

    public void Dispose() => _catalog.Changed -= OnCatalogChanged;

    private void EvaluateEntry(Entry entry, DateTimeOffset due, DateTimeOffset now, List<CronFire> fires, List<CronSkip> skips)
    {
        var schedule = entry.Schedule;
        if (entry.Suspended)
        {
            // Counted so a suspended event is visibly skipping; never replayed on resume.
            long suspended = 0;
            DateTimeOffset? latest = null;
            for (DateTimeOffset? o = due; o is { } occurrence && occurrence <= now && suspended < _options.MaxCountedMissed; o = schedule.GetNextOccurrence(occurrence))
            {
                suspended++;
                latest = occurrence;
            }
            skips.Add(new CronSkip(entry.Event, TriggerSkipReasons.Suspended, suspended, latest ?? due));
            MoveOn(entry, now);
            return;
        }

        var deadline = entry.Event.Spec.StartingDeadlineSeconds is long seconds and >= 0
            ? TimeSpan.FromSeconds(seconds)
            : _options.DefaultStartingDeadline;
        var windowStart = now - deadline;
        long missed = 0;
        DateTimeOffset? cursor = due;
        DateTimeOffset? latestMissed = null;
        // Occurrences older than the deadline: skipped and counted (up to a bound, after a long downtime).
        while (cursor is { } old && old < windowStart && old <= now)
        {
            if (missed >= _options.MaxCountedMissed)
            {
                cursor = schedule.GetNextOccurrence(windowStart.AddTicks(-1));
                break;
            }
            missed++;
            latestMissed = old;
            cursor = schedule.GetNextOccurrence(old);
        }
        // Within the deadline: only the most recent fires (Kubernetes CronJob semantics); older ones are missed too.
        DateTimeOffset? fire = null;
        while (cursor is { } occurrence && occurrence <= now)
        {
            if (missed >= _options.MaxCountedMissed)
            {
                // A long deadline and a frequent schedule after a long pause: jump to the most recent one.
                fire = schedule.GetLatestOccurrence(occurrence.AddTicks(-1), now) ?? fire;
                cursor = fire is { } latest ? schedule.GetNextOccurrence(latest) : null;
                break;
            }
            if (fire is { } older)
            {
                missed++;
                latestMissed = older;
            }
            fire = occurrence;
            cursor = schedule.GetNextOccurrence(occurrence);
        }
        if (missed > 0)
        {
            skips.Add(new CronSkip(entry.Event, TriggerSkipReasons.DeadlineMissed, missed, latestMissed!.Value));
        }
        if (fire is { } scheduled)
        {
            fires.Add(new CronFire(entry.Event, scheduled, entry.LastScheduled, entry.SpecVersion));
            entry.LastScheduled = scheduled;
        }
        entry.EvaluatedThrough = now;
        entry.NextDue = cursor;
        if (cursor is { } next)
        {
            Enqueue(entry, next);
        }
    }

    private void MoveOn(Entry entry, DateTimeOffset now)
    {
        entry.EvaluatedThrough = now;
        entry.NextDue = entry.Schedule.GetNextOccurrence(now);
        if (entry.NextDue is { } next)
        {
            Enqueue(entry, next);
        }
    }

    private void OnCatalogChanged(CatalogChange change)
    {
        if (change.After is { } after)
        {
            Upsert(after);
        }
        else if (change.Before is { } before)
        {
            Remove(before.Namespace, before.Name);
        }
    }

    private void Upsert(CatalogEntry catalogEntry)
    {
        var arkEvent = catalogEntry.Event;
        var source = arkEvent.Spec.Source;
        if (!catalogEntry.IsValid || source?.Type != SourceTypes.Cron || string.IsNullOrEmpty(source.Cron))
        {
            Remove(catalogEntry.Namespace, catalogEntry.Name);
            return;
        }
        var key = (catalogEntry.Namespace, catalogEntry.Name);
        var fingerprint = Fingerprint(arkEvent);
        var suspended = arkEvent.Spec.Suspend == true;
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var existing) && existing.Fingerprint == fingerprint)
            {
                existing.Event = arkEvent; // targets, policy, deadline: read at fire time
                if (existing.Suspended == suspended)
                {
                    return;
                }
                existing.Suspended = suspended;
                existing.SpecVersion++;
                _schedulesDirty = true;
                if (!suspended)
                {
                    // Resuming is seeing the event anew: nothing missed while suspended is replayed.
                    existing.SeenAt = now;
                    existing.LastScheduled = null;
                }
                MoveOn(existing, now);
                return;
            }
        }

        if (!CronSchedule.TryParse(source.Cron, source.Timezone, out var schedule, out var error) || schedule is null)
        {
            LogUnparsable(_logger, catalogEntry.Namespace, catalogEntry.Name, error ?? "unparsable");
            Remove(catalogEntry.Namespace, catalogEntry.Name);
            return;
        }
        lock (_lock)
        {
            var version = _entries.TryGetValue(key, out var replaced) ? replaced.SpecVersion + 1 : 0;
            if (replaced is not null)
            {
                replaced.Ticket++;
            }
            // A new or changed schedule never fires for times before it was seen.
            var entry = new Entry(arkEvent, schedule, fingerprint, now) { Suspended = suspended, SpecVersion = version };
            _entries[key] = entry;
            _schedulesDirty = true;
            MoveOn(entry, now);
            if (replaced is null && _baseline.Count > 0 && now < _baselineUntil)
            {
                TryRestore(entry);
            }
        }
    }

    private void Remove(string @namespace, string name)
    {
        lock (_lock)
        {
            if (_entries.Remove((@namespace, name), out var removed))
            {
                removed.Ticket++;
                _schedulesDirty = true;
            }
        }
    }

    private void Enqueue(Entry entry, DateTimeOffset due)
    {
        entry.Ticket++;
        entry.NextDue = due;
        _queue.Enqueue((entry, entry.Ticket), due);
    }

    private void RebuildQueue()
    {
        _queue.Clear();
        foreach (var entry in _entries.Values)
        {
            if (entry.NextDue is { } due)
            {
                _queue.Enqueue((entry, entry.Ticket), due);
            }
        }
    }

    private static string KeyText(Entry entry) => entry.Event.Namespace + "/" + entry.Event.Name;

    /// <summary>What identifies "the same schedule": a recreated object (new uid) or a new expression or zone is a new schedule.</summary>
    private static string Fingerprint(ArkEvent arkEvent) =>
        string.Join('|', arkEvent.Metadata.Uid ?? "", arkEvent.Spec.Source?.Cron ?? "", arkEvent.Spec.Source?.Timezone ?? "UTC");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cron ArkEvent {Namespace}/{Name} has a schedule that cannot be parsed ({Error}); it will not fire")]
    private static partial void LogUnparsable(ILogger logger, string @namespace, string name, string error);

    private sealed class Entry(ArkEvent arkEvent, CronSchedule schedule, string fingerprint, DateTimeOffset seenAt)
    {
        public ArkEvent Event { get; set; } = arkEvent;

        public CronSchedule Schedule { get; } = schedule;

        public string Fingerprint { get; } = fingerprint;

        public DateTimeOffset SeenAt { get; set; } = seenAt;

        /// <summary>Every occurrence up to here (inclusive) has been decided.</summary>
        public DateTimeOffset EvaluatedThrough { get; set; } = seenAt;

        public DateTimeOffset? NextDue { get; set; }

        public DateTimeOffset? LastScheduled { get; set; }

        public bool Suspended { get; set; }

        /// <summary>Changes when the schedule or suspension changes: a failed launch of an older version is not retried.</summary>
        public long SpecVersion { get; set; }

        /// <summary>Only the queue item carrying the current ticket is live; older items are dropped when they surface.</summary>
        public long Ticket { get; set; }
    }
}
