namespace Arkonis.Admission.Hosting;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Denied {Operation} of ArkEvent: {ProblemCount} problem(s)")]
    public static partial void Denied(ILogger logger, string operation, int problemCount);

    [LoggerMessage(2, LogLevel.Debug, "Allowed {Operation} of ArkEvent with {PatchOperations} patch operation(s)")]
    public static partial void Allowed(ILogger logger, string operation, int patchOperations);

    [LoggerMessage(3, LogLevel.Warning, "AdmissionReview for {Group}/{Kind} reached the ArkEvent webhook; allowed unchecked (check the webhook rules)")]
    public static partial void Misrouted(ILogger logger, string group, string kind);

    [LoggerMessage(4, LogLevel.Information, "Rejected an admission request: {Problem}")]
    public static partial void BadRequest(ILogger logger, string problem);

    [LoggerMessage(5, LogLevel.Warning, "Cycle check: the API server did not answer within {TimeoutMs} ms; allowed with a warning")]
    public static partial void CycleCheckTimedOut(ILogger logger, double timeoutMs);

    [LoggerMessage(6, LogLevel.Warning, "Cycle check failed ({ErrorType}: {Error}); allowed with a warning")]
    public static partial void CycleCheckFailed(ILogger logger, string errorType, string error);

    [LoggerMessage(7, LogLevel.Information, "Serving certificate loaded: subject {Subject}, expires {NotAfter:o}, thumbprint {Thumbprint}")]
    public static partial void CertificateLoaded(ILogger logger, string subject, DateTime notAfter, string thumbprint);

    [LoggerMessage(8, LogLevel.Warning, "Serving certificate could not be reloaded, keeping the previous one: {Error}")]
    public static partial void CertificateReloadFailed(ILogger logger, string error);

    [LoggerMessage(9, LogLevel.Warning, "Object of the {Operation} request could not be read as an ArkEvent: {Error}")]
    public static partial void UnreadableObject(ILogger logger, string operation, string error);

    [LoggerMessage(10, LogLevel.Debug, "Allowed UPDATE of ArkEvent {Namespace}/{Name}: the spec is unchanged (ratcheting)")]
    public static partial void Ratcheted(ILogger logger, string @namespace, string name);
}
