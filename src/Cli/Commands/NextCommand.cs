using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Arkonis.Cli.Manifests;
using Arkonis.Model.Resources;
using Arkonis.Model.Schedules;

namespace Arkonis.Cli.Commands;

/// <summary>
/// <c>arkevent next NAME</c>: the next fire times of a cron ArkEvent, in UTC and in its time zone, computed by the
/// model's <see cref="CronSchedule"/> (what the dispatcher itself uses). From the cluster, or offline from <c>-f FILE</c>.
/// </summary>
internal static class NextCommand
{
    public static Command Create(GlobalOptions global, CliConsole console)
    {
        var name = new Argument<string?>("NAME") { Description = "The cron ArkEvent (optional with -f when the file holds one ArkEvent)", Arity = ArgumentArity.ZeroOrOne };
        var count = new Option<int>("--count") { Description = "How many fire times", DefaultValueFactory = _ => 5 };
        var file = new Option<string?>("--file", "-f") { Description = "Read the ArkEvent from a manifest instead of the cluster" };
        var command = new Command("next", "The next fire times of a cron ArkEvent, in UTC and in its time zone") { name, count, file };
        command.SetAction(CliApp.Action(global, console, async (parse, printer, ct) =>
        {
            var wanted = parse.GetValue(name);
            var howMany = parse.GetValue(count);
            if (howMany is < 1 or > 1000)
            {
                throw new CliException("--count must be between 1 and 1000", ExitCodes.Usage, "usage");
            }

            ArkEvent ev;
            if (parse.GetValue(file) is { } path)
            {
                ev = FromFile(path, wanted);
            }
            else
            {
                if (wanted is null)
                {
                    throw new CliException("name the ArkEvent, or give -f FILE", ExitCodes.Usage, "usage");
                }

                var connection = global.Connect(parse);
                ev = await connection.GetEventAsync(global.NamespaceFor(parse, connection), wanted, ct);
            }

            var source = ev.Spec?.Source;
            var id = Qualified(ev);
            if (source?.Type != SourceTypes.Cron)
            {
                throw new CliException($"{id} is a {source?.Type ?? "(no type)"} event, not a cron one: it has no schedule", code: "not-a-cron-trigger");
            }

            var schedule = Parse(id, source.Cron ?? string.Empty, source.Timezone);

            var times = new List<DateTimeOffset>();
            var after = console.Time.GetUtcNow();
            while (times.Count < howMany && schedule.GetNextOccurrence(after) is { } next)
            {
                times.Add(next);
                after = next;
            }

            var zone = schedule.TimeZone;
            var suspended = ev.Spec?.Suspend == true;
            if (printer.IsJson)
            {
                printer.Json(new JsonObject
                {
                    ["trigger"] = id,
                    ["cron"] = source.Cron,
                    ["timezone"] = zone.Id,
                    ["suspended"] = suspended,
                    ["next"] = new JsonArray([.. times.Select(t => (JsonNode)new JsonObject
                    {
                        ["utc"] = t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                        ["local"] = TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
                    })]),
                });
                return ExitCodes.Ok;
            }

            printer.Line($"{id}: \"{source.Cron}\" in {zone.Id}" + (suspended ? " (suspended: it will not fire until resumed)" : string.Empty));
            printer.Table(
                ["UTC", zone.Id.ToUpperInvariant()],
                times.Select(t => (IReadOnlyList<string>)[
                    t.UtcDateTime.ToString("ddd yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    TimeZoneInfo.ConvertTime(t, zone).ToString("ddd yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture)]));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static CronSchedule Parse(string id, string cron, string? zone)
    {
        string? error;
        try
        {
            if (CronSchedule.TryParse(cron, zone, out var schedule, out error))
            {
                return schedule;
            }
        }
        catch (Exception e) when (e is not (OutOfMemoryException or StackOverflowException))
        {
            // TryParse must not throw, but Cronos' H fields make it (a known model bug): still an unusable schedule.
            error = e.Message;
        }

        throw new CliException($"{id} has an invalid schedule \"{cron}\": {error}", code: "invalid-schedule");
    }

    private static ArkEvent FromFile(string path, string? wanted)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {path}: {e.Message}", ExitCodes.Usage, "usage");
        }

        var documents = ManifestReader.Read(text);
        if (documents.FirstOrDefault(d => d.Error is not null) is { } bad)
        {
            throw new CliException($"{path}: {bad.Error}", code: "unreadable");
        }

        var events = documents.Select(d => d.Event).OfType<ArkEvent>().ToList();
        return (wanted, events.Count) switch
        {
            (null, 1) => events[0],
            (null, 0) => throw new CliException($"{path} holds no ArkEvent", code: "not-found"),
            (null, _) => throw new CliException($"{path} holds {events.Count} ArkEvents: name one ({string.Join(", ", events.Select(e => e.Name))})", ExitCodes.Usage, "usage"),
            _ => events.FirstOrDefault(e => e.Name == wanted) ?? throw new CliException($"{path} holds no ArkEvent named {wanted}", code: "not-found"),
        };
    }

    private static string Qualified(ArkEvent ev) => ev.Namespace.Length > 0 ? $"{ev.Namespace}/{ev.Name}" : ev.Name;
}
