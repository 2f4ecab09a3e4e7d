using Arkonis.Cli;

return await CliApp.RunAsync(args, CliConsole.System());
