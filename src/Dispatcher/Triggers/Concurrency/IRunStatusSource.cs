namespace Arkonis.Dispatcher.Triggers.Concurrency;

/// <summary>Where a run stands, as far as concurrency policies care.</summary>
public enum RunStatus
{
    /// <summary>No run with this id exists.</summary>
    NotFound,

    /// <summary>Scheduled, not yet running: counts as active (a burst of fires must not slip past Forbid).</summary>
    Pending,

    Running,

    Suspended,

    /// <summary>Completed, failed or terminated.</summary>
    Finished,
}

/// <summary>Reads and ends runs (workflow instances). Port for the concurrency policies; the adapter is Dapr Workflow.</summary>
public interface IRunStatusSource
{
    Task<RunStatus> GetStatusAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Ends a run (concurrencyPolicy Replace). Ending a finished or unknown run is not an error.</summary>
    Task TerminateAsync(string runId, string reason, CancellationToken cancellationToken);
}
