namespace Arkonis.Dispatcher.Kubernetes;

/// <summary>Cluster-mode log messages. Token values never appear here.</summary>
internal static partial class KubernetesLog
{
    [LoggerMessage(1, LogLevel.Information, "Listed {Scope} at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, string scope, string resourceVersion);

    [LoggerMessage(2, LogLevel.Information, "Watch of {Scope} expired at resourceVersion {ResourceVersion}; listing again")]
    public static partial void WatchExpired(ILogger logger, string scope, string? resourceVersion);

    [LoggerMessage(3, LogLevel.Warning, "List or watch of {Scope} failed; retrying with backoff")]
    public static partial void ListWatchFailed(ILogger logger, string scope, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "Watch of {Scope} reported an error")]
    public static partial void WatchStreamError(ILogger logger, string scope, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "Watch of {Scope} went silent past its timeout at resourceVersion {ResourceVersion}; watching again")]
    public static partial void WatchStalled(ILogger logger, string scope, string? resourceVersion);

    [LoggerMessage(8, LogLevel.Warning, "Watch of {Scope} ended with an error at resourceVersion {ResourceVersion}; listing again")]
    public static partial void WatchRelisting(ILogger logger, string scope, string? resourceVersion);

    [LoggerMessage(5, LogLevel.Warning, "ArkEvent {Namespace}/{Name} is invalid and will not fire: {Problems}")]
    public static partial void InvalidArkEvent(ILogger logger, string @namespace, string name, string problems);

    [LoggerMessage(6, LogLevel.Warning, "An ArkEvent could not be read and was skipped")]
    public static partial void UnreadableArkEvent(ILogger logger, Exception exception);

    [LoggerMessage(10, LogLevel.Information, "{Identity} is now the leader")]
    public static partial void StartedLeading(ILogger logger, string identity);

    [LoggerMessage(11, LogLevel.Information, "{Identity} stopped leading")]
    public static partial void StoppedLeading(ILogger logger, string identity);

    [LoggerMessage(12, LogLevel.Information, "Leader is {Leader} (this replica: {Identity})")]
    public static partial void NewLeader(ILogger logger, string leader, string identity);

    [LoggerMessage(13, LogLevel.Warning, "Leader election error")]
    public static partial void LeaderElectionError(ILogger logger, Exception exception);

    [LoggerMessage(15, LogLevel.Warning, "Leader election cannot reach the API server; trying again in {Wait}")]
    public static partial void LeaderElectionUnavailable(ILogger logger, TimeSpan wait, Exception exception);

    [LoggerMessage(16, LogLevel.Information, "{Identity} released the leader lease")]
    public static partial void LeaseReleased(ILogger logger, string identity);

    [LoggerMessage(17, LogLevel.Warning, "{Identity} could not release the leader lease; the next leader waits for it to expire")]
    public static partial void LeaseNotReleased(ILogger logger, string identity, Exception exception);

    [LoggerMessage(14, LogLevel.Error, "Leader work {Worker} failed; restarting it")]
    public static partial void LeaderWorkFailed(ILogger logger, string worker, Exception exception);

    [LoggerMessage(20, LogLevel.Warning, "Reconcile of {Namespace}/{Name} failed ({Failures} in a row); retrying in {RetryIn}")]
    public static partial void ReconcileFailed(ILogger logger, string @namespace, string name, int failures, TimeSpan retryIn, Exception exception);

    [LoggerMessage(24, LogLevel.Debug, "The failed reconcile of {Namespace}/{Name} could not be reported in its Ready condition")]
    public static partial void ReconcileFailureNotReported(ILogger logger, string @namespace, string name, Exception exception);

    [LoggerMessage(21, LogLevel.Error, "Status of {Namespace}/{Name} not written ({Changes} changes)")]
    public static partial void StatusNotWritten(ILogger logger, string @namespace, string name, int changes, Exception exception);

    [LoggerMessage(23, LogLevel.Error, "Status of {Namespace}/{Name} refused by the API server ({Changes} changes, not retried): {Message}")]
    public static partial void StatusRefused(ILogger logger, string @namespace, string name, int changes, string message);

    [LoggerMessage(22, LogLevel.Warning, "Event {Reason} about {Namespace}/{Name} not sent")]
    public static partial void EventNotSent(ILogger logger, string reason, string @namespace, string name, Exception exception);

    [LoggerMessage(30, LogLevel.Information, "Created ArkFlow {Namespace}/{Name} from {Pipeline} for run {RunId}")]
    public static partial void FlowCreated(ILogger logger, string @namespace, string name, string pipeline, string runId);

    [LoggerMessage(31, LogLevel.Information, "ArkFlow {Namespace}/{Name} for run {RunId} exists already; counted as started")]
    public static partial void FlowAlreadyCreated(ILogger logger, string @namespace, string name, string runId);

    [LoggerMessage(40, LogLevel.Information, "Published completion of ArkFlow {Namespace}/{Name}: {Phase} (correlation {CorrelationId})")]
    public static partial void CompletionPublished(ILogger logger, string @namespace, string name, string phase, string? correlationId);

    [LoggerMessage(41, LogLevel.Warning, "Completion of ArkFlow {Namespace}/{Name} not published yet; will retry")]
    public static partial void CompletionNotPublished(ILogger logger, string @namespace, string name, Exception exception);

    [LoggerMessage(42, LogLevel.Information, "Deleted ArkFlow {Namespace}/{Name}: past the history limit of {Event}")]
    public static partial void RunDeleted(ILogger logger, string @namespace, string name, string @event);

    [LoggerMessage(43, LogLevel.Warning, "ArkFlow {Namespace}/{Name} past the history limit could not be deleted")]
    public static partial void RunNotDeleted(ILogger logger, string @namespace, string name, Exception exception);
}
