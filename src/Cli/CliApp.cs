using System.CommandLine;
using Arkonis.Cli.Commands;
using Arkonis.Cli.Output;

namespace Arkonis.Cli;

/// <summary>
/// The <c>arkevent</c> command line: composes the commands and runs one. Each command turns a
/// <see cref="CliException"/> into one line on stderr and an exit code (<see cref="ExitCodes"/>).
/// </summary>
internal static class CliApp
{
    public static RootCommand Build(CliConsole console)
    {
        var global = new GlobalOptions();
        var root = new RootCommand("arkevent: fire webhook ArkEvents, follow their runs, rotate tokens, preview cron schedules and validate manifests offline. Also runs as `kubectl arkevent`.");
        foreach (var option in global.All)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(FireCommand.Create(global, console));
        root.Subcommands.Add(RunsCommand.CreateList(global, console));
        root.Subcommands.Add(RunsCommand.CreateShow(global, console));
        root.Subcommands.Add(RotateTokenCommand.Create(global, console));
        root.Subcommands.Add(NextCommand.Create(global, console));
        root.Subcommands.Add(ValidateCommand.Create(global, console));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        // No response files: `-d @body.json` is curl's convention for a body file, not System.CommandLine's.
        var parse = Build(console).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var exit = await parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error }, cancellationToken);

        // System.CommandLine answers a bad command line with 1; scripts can tell usage from failure by 2.
        return parse.Errors.Count > 0 ? ExitCodes.Usage : exit;
    }

    /// <summary>Runs a command body with the printer for its <c>-o</c>, mapping a <see cref="CliException"/> to its exit code.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Action(GlobalOptions global, CliConsole console, Func<ParseResult, Printer, CancellationToken, Task<int>> body) =>
        async (parse, cancellationToken) =>
        {
            var printer = new Printer(console, global.FormatOf(parse));
            try
            {
                return await body(parse, printer, cancellationToken);
            }
            catch (CliException e)
            {
                return printer.Error(e);
            }
        };
}
