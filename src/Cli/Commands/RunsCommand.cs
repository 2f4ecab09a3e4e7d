using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Arkonis.Cli.Connections;
using Arkonis.Cli.Output;

namespace Arkonis.Cli.Commands;

/// <summary>
/// <c>arkevent runs NAME</c> (recent runs: the event's status and the ArkFlows the dispatcher created, since the
/// trigger API has no list endpoint) and <c>arkevent run NAME RUNID</c> (one run from the run status endpoint).
/// </summary>
internal static class RunsCommand
{
    public static Command CreateList(GlobalOptions global, CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "The ArkEvent" };
        var command = new Command("runs", "Recent runs of an ArkEvent (in a cluster: status.lastRun and the ArkFlows of each run)") { name };
        command.SetAction(CliApp.Action(global, console, async (parse, printer, ct) =>
        {
            var connection = global.Connect(parse);
            var ns = global.NamespaceFor(parse, connection);
            var trigger = parse.GetValue(name)!;
            if (!connection.CanReadEvents)
            {
                const string Note = "a local dispatcher keeps no list of runs (its trigger API reads one run by id); use `arkevent run NAME RUNID` with the id `fire` printed";
                if (printer.IsJson)
                {
                    printer.Json(new JsonObject { ["trigger"] = $"{ns}/{trigger}", ["runs"] = new JsonArray(), ["note"] = Note });
                }
                else
                {
                    printer.Line(Note);
                }

                return ExitCodes.Ok;
            }

            var ev = await connection.GetEventAsync(ns, trigger, ct);
            var flows = await connection.ListFlowRunsAsync(ns, trigger, ct);
            var runs = flows.GroupBy(f => f.RunId)
                .Select(g => new
                {
                    RunId = g.Key,
                    Started = g.Min(f => f.Created),
                    Completed = g.All(f => f.Completed is not null) ? g.Max(f => f.Completed) : null,
                    Targets = g.OrderBy(f => f.Pipeline, StringComparer.Ordinal).ToList(),
                })
                .OrderByDescending(r => r.Started)
                .ToList();
            var status = ev.Status;
            if (printer.IsJson)
            {
                printer.Json(new JsonObject
                {
                    ["trigger"] = $"{ns}/{trigger}",
                    ["type"] = ev.Spec?.Source?.Type,
                    ["firedCount"] = status?.FiredCount,
                    ["lastFiredAt"] = status?.LastFiredAt,
                    ["nextFireAt"] = status?.NextFireAt,
                    ["lastRun"] = status?.LastRun is { } last
                        ? new JsonObject { ["id"] = last.Id, ["result"] = last.Result, ["completedAt"] = last.CompletedAt }
                        : null,
                    ["runs"] = new JsonArray([.. runs.Select(r => (JsonNode)new JsonObject
                    {
                        ["runId"] = r.RunId,
                        ["startedAt"] = r.Started,
                        ["completedAt"] = r.Completed,
                        ["targets"] = new JsonArray([.. r.Targets.Select(t => (JsonNode)new JsonObject
                        {
                            ["pipeline"] = t.Pipeline,
                            ["flow"] = t.FlowName,
                            ["phase"] = t.Phase,
                            ["completedAt"] = t.Completed,
                        })]),
                    })]),
                });
                return ExitCodes.Ok;
            }

            printer.Line($"{ns}/{trigger} ({ev.Spec?.Source?.Type}): fired {status?.FiredCount ?? 0} times, last at {Time(status?.LastFiredAt)}");
            if (status?.LastRun is { } lastRun)
            {
                printer.Line($"last run: {lastRun.Id} {lastRun.Result} at {Time(lastRun.CompletedAt)}");
            }

            if (runs.Count == 0)
            {
                printer.Line("no runs kept (finished ones are pruned to spec.successfulRunsHistoryLimit and failedRunsHistoryLimit)");
                return ExitCodes.Ok;
            }

            printer.Line();
            printer.Table(
                ["RUN", "STARTED", "COMPLETED", "TARGETS"],
                runs.Select(r => (IReadOnlyList<string>)[r.RunId, Time(r.Started), Time(r.Completed), string.Join(", ", r.Targets.Select(t => $"{t.Pipeline}={t.Phase ?? "Pending"}"))]));
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command CreateShow(GlobalOptions global, CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "The ArkEvent" };
        var runId = new Argument<string>("RUNID") { Description = "The run id `fire` printed" };
        var command = new Command("run", "One run of a webhook ArkEvent, with each target's status, output and error") { name, runId };
        command.SetAction(CliApp.Action(global, console, async (parse, printer, ct) =>
        {
            var connection = global.Connect(parse);
            var ns = global.NamespaceFor(parse, connection);
            var trigger = parse.GetValue(name)!;
            var token = await connection.GetTokenAsync(ns, trigger, ct);
            var dispatcher = await connection.GetDispatcherAsync(ns, trigger, ct);
            var run = await new DispatcherClient().GetRunAsync(dispatcher, ns, trigger, parse.GetValue(runId)!, token, ct);
            if (printer.IsJson)
            {
                printer.Json(run);
            }
            else
            {
                PrintRunText(printer, run, outputFirst: false);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>A run view (docs/trigger-api.md) for people; with <paramref name="outputFirst"/> a single output is all of stdout.</summary>
    public static void PrintRunText(Printer printer, JsonObject run, bool outputFirst)
    {
        var summary = $"run {run["runId"]} {run["status"]}" + (run["durationMs"] is { } ms ? $" in {ms} ms" : string.Empty);
        if (outputFirst && run["output"] is { } output)
        {
            printer.Console.Error.WriteLine(summary);
            printer.Json(output);
            return;
        }

        printer.Line(summary);
        printer.Line($"trigger {run["trigger"]}, fired {run["firedAt"]}" + (run["completedAt"] is { } done ? $", completed {done}" : string.Empty));
        var targets = run["targets"]?.AsArray() ?? [];
        if (targets.Count > 0)
        {
            printer.Line();
            printer.Table(
                ["PIPELINE", "STATUS", "FLOW RUN", "COMPLETED", "ERROR"],
                targets.OfType<JsonObject>().Select(t => (IReadOnlyList<string>)[
                    t["pipeline"]?.ToString() ?? string.Empty, t["status"]?.ToString() ?? string.Empty, t["run"]?.ToString() ?? "-",
                    t["completedAt"]?.ToString() ?? "-", t["error"]?.ToString() ?? string.Empty]));
        }

        foreach (var target in targets.OfType<JsonObject>().Where(t => t["output"] is not null))
        {
            printer.Line();
            printer.Line($"output of {target["pipeline"]}:");
            printer.Json(target["output"]);
        }
    }

    private static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static string Time(DateTime? time) => time is { } t ? Time(new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc))) : "-";
}
