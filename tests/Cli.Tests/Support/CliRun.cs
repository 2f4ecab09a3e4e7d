using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace Arkonis.Cli.Tests.Support;

/// <summary>What one in-process run of the CLI produced.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public JsonNode Json => JsonNode.Parse(Out) ?? throw new Xunit.Sdk.XunitException("stdout is JSON null");

    public IReadOnlyList<string> OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>Runs <c>arkevent</c> in-process with captured streams and a fixed clock.</summary>
public static class CliRun
{
    /// <summary>Monday 2026-03-23 12:00 UTC: a week before Europe's spring-forward.</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 23, 12, 0, 0, TimeSpan.Zero);

    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole(output, error, OutputIsTerminal: false, new FakeTimeProvider(Now));
        var exit = await CliApp.RunAsync(args, console);
        return new CliResult(exit, output.ToString(), error.ToString());
    }
}
