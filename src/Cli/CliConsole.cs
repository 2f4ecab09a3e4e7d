namespace Arkonis.Cli;

/// <summary>
/// Where a command writes and what it may assume about the terminal: the process's streams in production, string
/// writers in tests. The clock is here so that <c>next</c> is testable.
/// </summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, bool OutputIsTerminal, TimeProvider Time)
{
    public static CliConsole System() =>
        new(Console.Out, Console.Error, !Console.IsOutputRedirected, TimeProvider.System);
}
