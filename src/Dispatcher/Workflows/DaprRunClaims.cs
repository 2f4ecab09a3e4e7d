using System.Globalization;
using Arkonis.Dispatcher.Runs;
using Dapr.Client;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Workflows;

/// <summary>
/// Claims a run id before its workflow is scheduled, so that scheduling is never check-then-act. daprd refuses a start
/// of an active instance, but silently re-creates a completed one (dapr/dapr
/// <c>pkg/actors/targets/workflow/orchestrator/create.go</c>): a duplicate scheduled just after the first run completed
/// would run again. The claim is one state-store write with first-write concurrency and no ETag, which the state stores
/// perform as "insert only if absent" (components-contrib <c>state/mysql/mysql.go</c>, <c>state/etcd/etcd.go</c>; daprd
/// answers the loser with <c>Aborted</c>, which <see cref="DaprClient.TrySaveStateAsync{TValue}"/> reports as false).
/// A claim lives as long as the run's state (<see cref="RunOptions.Retention"/> + <see cref="RunOptions.TargetTimeout"/>):
/// that is the window in which a repeated cause (cron occurrence, upstream run, Idempotency-Key) starts nothing new.
/// </summary>
public sealed class DaprRunClaims(DaprClient dapr, IOptions<RunOptions> options)
{
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public static string Key(string runId) => $"arkevent-claim.{runId}";

    /// <summary>True when this caller now holds the run id; false when someone claimed it first.</summary>
    public Task<bool> TryClaimAsync(string runId, DateTimeOffset now, CancellationToken cancellationToken) =>
        dapr.TrySaveStateAsync(
            options.Value.StateStore, Key(runId), new RunClaim(now), string.Empty, FirstWrite, Metadata(), cancellationToken);

    /// <summary>
    /// Takes over a claim made before <paramref name="staleBefore"/> whose holder never created the run (it crashed or
    /// lost the sidecar between claim and schedule); ETag-guarded, so only one taker wins.
    /// </summary>
    public async Task<bool> TryTakeOverAsync(string runId, DateTimeOffset now, DateTimeOffset staleBefore, CancellationToken cancellationToken)
    {
        var store = options.Value.StateStore;
        var (claim, etag) = await dapr.GetStateAndETagAsync<RunClaim?>(store, Key(runId), cancellationToken: cancellationToken);
        if (claim is null || string.IsNullOrEmpty(etag))
        {
            // Released (or expired) meanwhile: claim it afresh.
            return await TryClaimAsync(runId, now, cancellationToken);
        }
        return claim.ClaimedAt < staleBefore &&
            await dapr.TrySaveStateAsync(store, Key(runId), new RunClaim(now), etag, FirstWrite, Metadata(), cancellationToken);
    }

    /// <summary>Gives the id back after a schedule that certainly created nothing.</summary>
    public Task ReleaseAsync(string runId, CancellationToken cancellationToken) =>
        dapr.DeleteStateAsync(options.Value.StateStore, Key(runId), cancellationToken: cancellationToken);

    private Dictionary<string, string> Metadata()
    {
        var o = options.Value;
        var ttl = (long)(o.Retention + o.TargetTimeout).TotalSeconds;
        return new Dictionary<string, string> { ["ttlInSeconds"] = ttl.ToString(CultureInfo.InvariantCulture) };
    }

    internal sealed record RunClaim(DateTimeOffset ClaimedAt);
}
