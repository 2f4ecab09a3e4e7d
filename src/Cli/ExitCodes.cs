namespace Arkonis.Cli;

/// <summary>The process exit codes, stable for scripts.</summary>
internal static class ExitCodes
{
    /// <summary>Done; for <c>validate</c>, every file is valid.</summary>
    public const int Ok = 0;

    /// <summary>The operation failed: an invalid file, a failed run, a refused fire, an unreachable dispatcher.</summary>
    public const int Failed = 1;

    /// <summary>The command line itself is wrong (an unknown option, a bad duration, a missing argument).</summary>
    public const int Usage = 2;
}
