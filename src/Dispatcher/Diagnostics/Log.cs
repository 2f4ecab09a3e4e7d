namespace Arkonis.Dispatcher.Diagnostics;

/// <summary>
/// Every log line of the dispatcher's trigger, run and flow code. Tokens and bodies never appear here. Parameters come
/// in the template's order: out of order, the generator names an <c>@namespace</c> parameter "@namespace" in the state
/// instead of the template's "Namespace".
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Run {RunId} of {Namespace}/{Name} launched ({Cause})")]
    public static partial void RunLaunched(this ILogger logger, string runId, string @namespace, string name, string cause);

    [LoggerMessage(1002, LogLevel.Information, "Run {RunId} of {Namespace}/{Name} exists already; nothing new started")]
    public static partial void RunAlreadyExists(this ILogger logger, string runId, string @namespace, string name);

    [LoggerMessage(1003, LogLevel.Warning, "The Dapr sidecar did not answer {Operation} in time")]
    public static partial void SidecarUnavailable(this ILogger logger, string operation);

    [LoggerMessage(1004, LogLevel.Information, "Rejected {Method} on trigger {Namespace}/{Name}: {Status} {Problem}")]
    public static partial void TriggerRejected(this ILogger logger, string method, string @namespace, string name, int status, string problem);

    [LoggerMessage(1005, LogLevel.Warning, "The webhook token Secret of {Namespace}/{Name} could not be read ({ErrorType}); no token matches")]
    public static partial void TokenSecretUnreadable(this ILogger logger, string @namespace, string name, string errorType);

    [LoggerMessage(2001, LogLevel.Information, "Flow {Namespace}/{Pipeline} of run {RunId} started")]
    public static partial void FlowStarted(this ILogger logger, string @namespace, string pipeline, string runId);

    [LoggerMessage(2002, LogLevel.Warning, "Flow {Namespace}/{Pipeline} of run {RunId} was refused: {Reason}")]
    public static partial void FlowRejected(this ILogger logger, string @namespace, string pipeline, string runId, string reason);

    [LoggerMessage(2101, LogLevel.Warning, "Dropped a malformed flow-completed message: {Reason}")]
    public static partial void CompletionMalformed(this ILogger logger, string reason);

    [LoggerMessage(2102, LogLevel.Warning, "flow-completed handling failed in {Observer} ({ErrorType}: {Reason}); asking Dapr to redeliver")]
    public static partial void CompletionRetry(this ILogger logger, string observer, string errorType, string reason);

    [LoggerMessage(2103, LogLevel.Debug, "Completion of {Namespace}/{Flow} carries no run of this dispatcher")]
    public static partial void CompletionNotOurs(this ILogger logger, string @namespace, string flow);

    [LoggerMessage(2104, LogLevel.Information, "No run {RunId} waits for this completion (finished, or unknown); acknowledged")]
    public static partial void CompletionNoWaitingRun(this ILogger logger, string runId);

    [LoggerMessage(2105, LogLevel.Debug, "Completion routed to run {RunId}")]
    public static partial void CompletionRouted(this ILogger logger, string runId);

    [LoggerMessage(3001, LogLevel.Information, "Trigger {Namespace}/{Name} fired run {RunId}")]
    public static partial void TriggerFired(this ILogger logger, string @namespace, string name, string runId);

    [LoggerMessage(3002, LogLevel.Information, "Trigger {Namespace}/{Name} skipped a fire: {Reason}")]
    public static partial void TriggerSkipped(this ILogger logger, string @namespace, string name, string reason);

    [LoggerMessage(3003, LogLevel.Information, "Run {RunId} of {Namespace}/{Name} ended {Result}")]
    public static partial void TriggerRunCompleted(this ILogger logger, string runId, string @namespace, string name, string result);

    [LoggerMessage(3004, LogLevel.Warning, "Trigger {Namespace}/{Name} failed to fire run {RunId}: {Reason}")]
    public static partial void TriggerFailed(this ILogger logger, string @namespace, string name, string runId, string reason);

    [LoggerMessage(4001, LogLevel.Information, "Catalog loaded from {Directory}: {Valid} valid, {Invalid} invalid ArkEvents, {Unreadable} unreadable files")]
    public static partial void CatalogLoaded(this ILogger logger, string directory, int valid, int invalid, int unreadable);

    [LoggerMessage(4002, LogLevel.Warning, "ArkEvent file {File} was skipped: {Reason}")]
    public static partial void CatalogFileSkipped(this ILogger logger, string file, string reason);

    [LoggerMessage(4003, LogLevel.Warning, "ArkEvent {Namespace}/{Name} in {File} is invalid and cannot fire: {Problems}")]
    public static partial void CatalogEntryInvalid(this ILogger logger, string @namespace, string name, string file, string problems);

    [LoggerMessage(4004, LogLevel.Warning, "Catalog directory {Directory} does not exist; the catalog is empty")]
    public static partial void CatalogDirectoryMissing(this ILogger logger, string directory);

    [LoggerMessage(4005, LogLevel.Error, "Catalog reload failed; the previous catalog stays")]
    public static partial void CatalogReloadFailed(this ILogger logger, Exception exception);
}
