namespace Arkonis.Cli;

/// <summary>
/// A failure the user can act on, with the message to print (never a stack trace). Thrown by the adapters at the
/// edge (the Kubernetes API, the dispatcher, files) and turned into one line on stderr and an exit code in one place.
/// </summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failed, string? code = null) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>A stable, machine-readable reason for <c>-o json</c>: <c>unreachable</c>, <c>not-found</c>, ...</summary>
    public string Code { get; } = code ?? "error";
}
