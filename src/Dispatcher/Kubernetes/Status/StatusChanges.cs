using Arkonis.Model.Resources;

namespace Arkonis.Dispatcher.Kubernetes.Status;

/// <summary>A change to the run bookkeeping of an ArkEvent's status.</summary>
internal abstract record StatusChange
{
    public abstract void ApplyTo(ArkEventStatus status);
}

/// <summary>
/// The event fired (a skip is not a fire): count it, and it becomes the last run if it is the latest. A cron fire
/// carries the occurrence after it, so <c>nextFireAt</c> moves on in the same write as the count rather than in a
/// write of its own.
/// </summary>
internal sealed record FireRecorded(string RunId, DateTimeOffset FiredAt, DateTimeOffset? NextFireAt = null) : StatusChange
{
    public override void ApplyTo(ArkEventStatus status)
    {
        status.FiredCount = (status.FiredCount ?? 0) + 1;
        var at = FiredAt.UtcDateTime;
        if (status.LastFiredAt is null || status.LastFiredAt <= at)
        {
            status.LastFiredAt = at;
            status.LastRun = new LastRun { Id = RunId, Result = "Running" };
            if (NextFireAt is { } next)
            {
                status.NextFireAt = next.UtcDateTime;
            }
        }
    }
}

/// <summary>A run finished; it is recorded unless a newer run is already in flight.</summary>
internal sealed record RunFinished(string RunId, string Result, DateTimeOffset CompletedAt) : StatusChange
{
    public override void ApplyTo(ArkEventStatus status)
    {
        if (status.LastRun is null || status.LastRun.Id == RunId || status.LastRun.Result != "Running")
        {
            status.LastRun = new LastRun { Id = RunId, Result = Result, CompletedAt = CompletedAt.UtcDateTime };
        }
    }
}
