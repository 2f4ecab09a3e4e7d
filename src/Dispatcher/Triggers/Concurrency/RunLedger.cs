using Arkonis.Dispatcher.Hosting;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Triggers.Concurrency;

/// <summary>Which runs of an event may still be going, with a verdict that says whether every state could be read.</summary>
public sealed record ActiveRuns(IReadOnlyList<string> RunIds, bool Uncertain)
{
    public bool Any => RunIds.Count > 0 || Uncertain;
}

/// <summary>
/// Remembers the runs each event launched (webhook, cron and flow-output alike) and asks the run engine which of them are
/// still going. Memory is per replica and bounded per event; cron adds the previous occurrence's derived run id,
/// so a run started by another replica or before a restart is seen too.
/// </summary>
public sealed partial class RunLedger(IRunStatusSource runs, IOptions<SidecarOptions> sidecar, ILogger<RunLedger> logger)
{
    private const int MaxRememberedPerEvent = 32;
    private readonly ConcurrentDictionary<(string Namespace, string Name), List<string>> _launched = new();
    private readonly TimeSpan _callTimeout = sidecar.Value.CallTimeout;

    /// <summary>Notes a run of the event (started here, or found existing).</summary>
    public void Record(string @namespace, string name, string runId)
    {
        var list = _launched.GetOrAdd((@namespace, name), _ => []);
        lock (list)
        {
            if (list.Contains(runId))
            {
                return;
            }
            if (list.Count >= MaxRememberedPerEvent)
            {
                list.RemoveAt(0);
            }
            list.Add(runId);
        }
    }

    /// <summary>The event's runs that are Pending, Running or Suspended, other than <paramref name="exceptRunId"/>.</summary>
    public async Task<ActiveRuns> GetActiveAsync(string @namespace, string name, IEnumerable<string> alsoCheck, string exceptRunId, CancellationToken cancellationToken)
    {
        HashSet<string> candidates = new(alsoCheck, StringComparer.Ordinal);
        if (_launched.TryGetValue((@namespace, name), out var list))
        {
            lock (list)
            {
                candidates.UnionWith(list);
            }
        }
        candidates.Remove(exceptRunId);
        List<string> active = [];
        var uncertain = false;
        foreach (var runId in candidates)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_callTimeout);
            RunStatus status;
            try
            {
                status = await runs.GetStatusAsync(runId, deadline.Token);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogStateUnknown(logger, runId, ex.GetType().Name);
                uncertain = true;
                continue;
            }
            if (status is RunStatus.Pending or RunStatus.Running or RunStatus.Suspended)
            {
                active.Add(runId);
            }
            else if (list is not null)
            {
                lock (list)
                {
                    list.Remove(runId);
                }
            }
        }
        return new ActiveRuns(active, uncertain);
    }

    /// <summary>Ends a run, within the call deadline.</summary>
    public async Task<bool> TryTerminateAsync(string runId, string reason, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_callTimeout);
        try
        {
            await runs.TerminateAsync(runId, reason, deadline.Token);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogTerminateFailed(logger, runId, ex.GetType().Name);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the state of run {RunId} ({Error}); counting it as active")]
    private static partial void LogStateUnknown(ILogger logger, string runId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not terminate run {RunId} ({Error})")]
    private static partial void LogTerminateFailed(ILogger logger, string runId, string error);
}
