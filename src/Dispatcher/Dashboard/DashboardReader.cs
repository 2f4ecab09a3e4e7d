using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Workflows;
using Arkonis.Model.Resources;
using Arkonis.Model.Schedules;

namespace Arkonis.Dispatcher.Dashboard;

/// <summary>
/// Builds the dashboard's view from what the dispatcher already records: the catalog, the runs each event's trigger
/// reports named (<see cref="RecentRunIds"/>), and each run's state through the run reader.
/// Reads only; it holds no secret, so none can reach the page.
/// </summary>
public sealed class DashboardReader(
    ArkEventCatalog catalog,
    RunReader runs,
    RecentRunIds recent,
    TimeProvider time)
{
    public async Task<DashboardView> ReadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        recent.Refresh();
        var entries = catalog.Entries.OrderBy(e => e.Namespace, StringComparer.Ordinal).ThenBy(e => e.Name, StringComparer.Ordinal);
        var events = await Task.WhenAll(entries.Select(entry => DescribeAsync(entry, now, cancellationToken)));
        return new DashboardView(now, events);
    }

    private async Task<DashboardEvent> DescribeAsync(CatalogEntry entry, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var source = entry.Event.Spec.Source;
        var type = source?.Type;
        string? schedule = null;
        string? zone = null;
        DateTimeOffset? next = null;
        if (type == SourceTypes.Cron)
        {
            schedule = source!.Cron;
            zone = string.IsNullOrEmpty(source.Timezone) ? "UTC" : source.Timezone;
            if (entry.IsValid && entry.Event.Spec.Suspend != true &&
                CronSchedule.TryParse(source.Cron ?? string.Empty, source.Timezone, out var cron, out _))
            {
                next = cron.GetNextOccurrence(now);
            }
        }
        else if (type == SourceTypes.FlowOutput)
        {
            schedule = $"when {source!.Flow} ends {source.OnPhase ?? "Succeeded"}";
        }

        var runIds = recent.For(entry.Namespace, entry.Name);
        IReadOnlyList<DashboardRun> read = [];
        string? runsError = null;
        try
        {
            var results = await Task.WhenAll(runIds.Select(id => runs.GetAsync(entry.Namespace, entry.Name, id, cancellationToken)));
            read = [.. results.OfType<RunResult>().Select(ToRun)];
        }
        catch (SidecarUnavailableException)
        {
            runsError = "The Dapr sidecar is unavailable: runs cannot be read now.";
        }

        return new DashboardEvent(
            entry.Namespace,
            entry.Name,
            type,
            schedule,
            zone,
            next,
            entry.Event.Spec.Suspend == true,
            entry.IsValid,
            entry.Problems,
            [.. entry.Event.Spec.Targets?.Select(t => t.Pipeline).OfType<string>() ?? []],
            read,
            runsError);
    }

    private static DashboardRun ToRun(RunResult run) => new(
        run.RunId,
        run.Status,
        run.FiredAt,
        run.CompletedAt,
        run.DurationMs,
        [.. run.Targets.Select(t => new DashboardTarget(
            t.Pipeline,
            t.Status,
            t.CompletedAt is { } done ? (long)(done - run.FiredAt).TotalMilliseconds : null,
            t.Error))]);
}
