using System.CommandLine;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Arkonis.Cli.Connections;
using Arkonis.Cli.Output;
using Arkonis.Dispatcher.Triggers.Webhook;
using Arkonis.Model.Resources;

namespace Arkonis.Cli.Commands;

/// <summary><c>arkevent fire NAME</c>: reads the token, calls the trigger, prints the run id (async) or the run's output (sync).</summary>
internal static class FireCommand
{
    public static Command Create(GlobalOptions global, CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "The webhook ArkEvent to fire" };
        var sync = new Option<bool>("--sync") { Description = "Wait for every target and print the output (default: return the run id at once)" };
        var timeout = new Option<string>("--timeout") { Description = "With --sync: how long to wait (Go-style: 500ms, 120s, 2m, 1m30s; at most the dispatcher's 10m)", DefaultValueFactory = _ => "60s" };
        var data = new Option<string?>("--data", "-d") { Description = "The JSON object body, inline or @FILE (@- for stdin)" };
        var key = new Option<string?>("--idempotency-key") { Description = "Repeating a fire with the same key returns the same run and starts nothing" };
        var command = new Command("fire", "Fire a webhook ArkEvent") { name, sync, timeout, data, key };
        command.SetAction(CliApp.Action(global, console, async (parse, printer, ct) =>
        {
            var body = ReadBody(parse.GetValue(data));
            var timeoutText = parse.GetValue(timeout)!;
            TimeSpan? syncTimeout = null;
            if (parse.GetValue(sync))
            {
                syncTimeout = ParseTimeout(timeoutText);
            }

            var connection = global.Connect(parse);
            var ns = global.NamespaceFor(parse, connection);
            var trigger = parse.GetValue(name)!;
            if (connection.CanReadEvents)
            {
                // In a cluster the CLI can tell an unknown trigger or the wrong type apart; the API answers both with 401/409.
                var ev = await connection.GetEventAsync(ns, trigger, ct);
                if (ev.Spec?.Source?.Type is { } type && type != SourceTypes.Webhook)
                {
                    throw new CliException($"{ns}/{trigger} is a {type} event: only webhook events can be fired (see `arkevent next {trigger}` for a cron one)", code: "not-a-webhook-trigger");
                }
            }

            var token = await connection.GetTokenAsync(ns, trigger, ct);
            var dispatcher = await connection.GetDispatcherAsync(ns, trigger, ct);
            DispatcherAnswer answer;
            await using (Spinner.StartIf(printer, syncTimeout is null ? "firing" : $"waiting for {ns}/{trigger}"))
            {
                answer = await new DispatcherClient().FireAsync(dispatcher, ns, trigger, token, body, syncTimeout, timeoutText, parse.GetValue(key), ct);
            }

            return Print(printer, answer, trigger);
        }));
        return command;
    }

    private static TimeSpan ParseTimeout(string text)
    {
        try
        {
            if (RequestTimeout.TryParse(text, out var timeout))
            {
                return timeout;
            }
        }
        catch (OverflowException)
        {
            // The shared parser overflows on nine-digit hours (a known bug of RequestTimeout): still just a bad duration.
        }

        throw new CliException($"--timeout {text} is not a duration such as 500ms, 120s, 2m or 1m30s", ExitCodes.Usage, "usage");
    }

    private static string? ReadBody(string? data)
    {
        if (data is null)
        {
            return null;
        }

        string text;
        try
        {
            text = data == "@-" ? Console.In.ReadToEnd() : data.StartsWith('@') ? File.ReadAllText(data[1..]) : data;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {data[1..]}: {e.Message}", ExitCodes.Usage, "usage");
        }

        try
        {
            return JsonNode.Parse(text) is JsonObject ? text : throw new CliException("-d must be a JSON object, such as '{\"topic\":\"x\"}'", ExitCodes.Usage, "usage");
        }
        catch (JsonException e)
        {
            throw new CliException($"-d is not JSON: {e.Message}", ExitCodes.Usage, "usage");
        }
    }

    private static int Print(Printer printer, DispatcherAnswer answer, string trigger)
    {
        var body = answer.Body;
        var runId = body["runId"]?.GetValue<string>() ?? string.Empty;
        if (printer.IsJson)
        {
            printer.Json(body);
        }

        switch (answer.Status)
        {
            case HttpStatusCode.Accepted:
                if (!printer.IsJson)
                {
                    var targets = string.Join(", ", body["targets"]?.AsArray().Select(t => t?.ToString()) ?? []);
                    printer.Line(runId);
                    printer.Console.Error.WriteLine(
                        (body["existing"]?.GetValue<bool>() == true ? "an existing run (same idempotency key)" : "started")
                        + $" {body["trigger"]} -> {targets}; follow it with: arkevent run {trigger} {runId}");
                }

                return ExitCodes.Ok;
            case HttpStatusCode.GatewayTimeout:
                printer.Console.Error.WriteLine($"error: the run did not finish in time; it goes on: arkevent run {trigger} {runId}");
                return ExitCodes.Failed;
            default:
                if (!printer.IsJson)
                {
                    RunsCommand.PrintRunText(printer, body, outputFirst: true);
                }

                if (answer.Status != HttpStatusCode.OK)
                {
                    printer.Console.Error.WriteLine($"error: run {runId} failed");
                    return ExitCodes.Failed;
                }

                return ExitCodes.Ok;
        }
    }
}
