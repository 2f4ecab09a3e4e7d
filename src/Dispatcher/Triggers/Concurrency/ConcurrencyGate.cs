using Arkonis.Model.Resources;

namespace Arkonis.Dispatcher.Triggers.Concurrency;

/// <summary>
/// The gate's answer: go ahead (after ending the runs it replaced), or skip. <paramref name="Unknown"/>: skipped only
/// because a run's state could not be read (no run is known to be going), which a caller may answer as "unavailable".
/// </summary>
public sealed record ConcurrencyVerdict(bool Proceed, IReadOnlyList<string> Blocking, IReadOnlyList<string> Replaced, bool Unknown = false)
{
    public static readonly ConcurrencyVerdict Go = new(true, [], []);
}

/// <summary>
/// Applies <c>spec.concurrencyPolicy</c> before a webhook, cron or flow-output fire. Allow: always go. Forbid: skip while
/// another run of the event is Pending, Running or Suspended (or its state cannot be read). Replace: end those
/// runs, then go. The run being fired is never counted against itself, so a repeated tick or a redelivered
/// completion reaches the launcher and ends as "already exists", not as a skip.
/// </summary>
public sealed class ConcurrencyGate(RunLedger ledger)
{
    public async Task<ConcurrencyVerdict> AdmitAsync(ArkEvent arkEvent, string runId, IEnumerable<string> alsoCheck, CancellationToken cancellationToken)
    {
        var policy = arkEvent.Spec.ConcurrencyPolicy ?? ConcurrencyPolicies.Allow;
        if (policy == ConcurrencyPolicies.Allow)
        {
            return ConcurrencyVerdict.Go;
        }
        var active = await ledger.GetActiveAsync(arkEvent.Namespace, arkEvent.Name, alsoCheck, runId, cancellationToken);
        if (!active.Any)
        {
            return ConcurrencyVerdict.Go;
        }
        if (policy == ConcurrencyPolicies.Forbid)
        {
            return new ConcurrencyVerdict(false, active.RunIds, [], Unknown: active.RunIds.Count == 0);
        }
        List<string> replaced = [];
        foreach (var previous in active.RunIds)
        {
            if (await ledger.TryTerminateAsync(previous, $"replaced by {runId} (concurrencyPolicy: Replace)", cancellationToken))
            {
                replaced.Add(previous);
            }
        }
        return new ConcurrencyVerdict(true, [], replaced);
    }

    /// <summary>Records a run that exists now (started, or found already there).</summary>
    public void Record(ArkEvent arkEvent, string runId) => ledger.Record(arkEvent.Namespace, arkEvent.Name, runId);
}
