using System.Collections.Concurrent;
using System.Collections.Immutable;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Reporting;

namespace Arkonis.Dispatcher.Dashboard;

/// <summary>
/// The run ids seen as each ArkEvent's latest run (the local trigger reports, or the ArkEvent's status in a cluster),
/// newest first, at most <see cref="PerEvent"/> each. Only ids: the runs are read back through the run reader. The
/// reports keep only the latest run, so they are looked at every second (<see cref="RecentRunIdsWatcher"/>) and on
/// every read; a run superseded within that second is not listed. In memory: a restart starts the list again.
/// </summary>
public sealed class RecentRunIds(ArkEventCatalog catalog, InMemoryTriggerActivity? localReports = null)
{
    public const int PerEvent = 10;

    private readonly ConcurrentDictionary<(string Namespace, string Name), ImmutableList<string>> _runs = new();

    /// <summary>Notes the latest run of every event in the catalog.</summary>
    public void Refresh()
    {
        foreach (var entry in catalog.Entries)
        {
            var latest = localReports?.Get(entry.Namespace, entry.Name).LastRunId ?? entry.Event.Status?.LastRun?.Id;
            if (latest is not null)
            {
                _runs.AddOrUpdate(
                    (entry.Namespace, entry.Name),
                    _ => [latest],
                    (_, known) => known.Count > 0 && known[0] == latest
                        ? known
                        : known.Remove(latest).Insert(0, latest).Take(PerEvent).ToImmutableList());
            }
        }
    }

    /// <summary>The event's runs seen so far, newest first.</summary>
    public IReadOnlyList<string> For(string @namespace, string name) => _runs.GetValueOrDefault((@namespace, name), []);
}

/// <summary>Looks at the latest runs every second, so the dashboard lists runs fired between two of its refreshes.</summary>
public sealed class RecentRunIdsWatcher(RecentRunIds recent, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            recent.Refresh();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
