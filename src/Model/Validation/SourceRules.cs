using System.Globalization;
using Arkonis.Model.Resources;
using Arkonis.Model.Schedules;

namespace Arkonis.Model.Validation;

/// <summary>
/// <c>spec.source</c>: a known type, and exactly the fields that type uses (cron + timezone; flow + onPhase). Fields of
/// another type are Forbidden rather than ignored, so a typo in <c>type</c> cannot silently turn a schedule off.
/// </summary>
internal static class SourceRules
{
    private const string Path = "spec.source";

    /// <summary>Checks the source; returns its type when it is a supported one, else null.</summary>
    public static string? Check(EventSource? source, ProblemList list, TimeProvider time)
    {
        if (source is null)
        {
            list.Add(FieldProblem.Required(Path));
            return null;
        }

        var type = source.Type;
        if (string.IsNullOrEmpty(type))
        {
            list.Add(FieldProblem.Required(Path + ".type"));
            return null;
        }

        if (!SourceTypes.All.Contains(type))
        {
            list.Add(FieldProblem.NotSupported(Path + ".type", type, SourceTypes.All));
            return null;
        }

        CheckCron(source, type, list, time);
        CheckFlow(source, type, list);
        return type;
    }

    private static void CheckCron(EventSource source, string type, ProblemList list, TimeProvider time)
    {
        if (type != SourceTypes.Cron)
        {
            ForbidUnless(source.Cron, Path + ".cron", SourceTypes.Cron, list);
            ForbidUnless(source.Timezone, Path + ".timezone", SourceTypes.Cron, list);
            return;
        }

        var expression = CheckSchedule(source.Cron, list);
        var zone = CheckZone(source.Timezone, list);
        if (expression is not null && zone is not null && DaylightSaving.FirstGapHit(expression, zone, time.GetUtcNow()) is { } gapDay)
        {
            list.Warn(Path + ".cron",
                string.Create(CultureInfo.InvariantCulture,
                    $"some times fall in the daylight-saving gap of {zone.Id} (e.g. {gapDay:yyyy-MM-dd}); on such days the event fires once right after the gap"));
        }
    }

    private static CronRule? CheckSchedule(string? cron, ProblemList list)
    {
        if (string.IsNullOrEmpty(cron))
        {
            list.Add(FieldProblem.Required(Path + ".cron", "a cron event needs a schedule such as \"0 8 * * *\""));
            return null;
        }

        if (cron.Length > CronSyntax.MaxLength)
        {
            list.Add(FieldProblem.TooLong(Path + ".cron", CronSyntax.MaxLength));
            return null;
        }

        if (!CronSchedule.TryParseExpression(cron, out var expression, out var error))
        {
            list.Add(FieldProblem.Invalid(Path + ".cron", cron, error));
            return null;
        }

        return expression;
    }

    private static TimeZoneInfo? CheckZone(string? id, ProblemList list)
    {
        if (id is null)
        {
            return TimeZoneInfo.Utc;
        }

        if (!TimeZones.TryResolve(id, out var zone, out var error))
        {
            list.Add(FieldProblem.Invalid(Path + ".timezone", id, error));
            return null;
        }

        if (TimeZones.IsFixedOffsetEtcZone(id))
        {
            var offset = zone.BaseUtcOffset;
            var sign = offset < TimeSpan.Zero ? "-" : "+";
            list.Warn(Path + ".timezone",
                $"\"{id}\" is the fixed offset UTC{sign}{offset.Duration():hh\\:mm} (Etc/ names invert the sign) and never follows daylight saving");
        }

        return zone;
    }

    private static void CheckFlow(EventSource source, string type, ProblemList list)
    {
        if (type != SourceTypes.FlowOutput)
        {
            ForbidUnless(source.Flow, Path + ".flow", SourceTypes.FlowOutput, list);
            ForbidUnless(source.OnPhase, Path + ".onPhase", SourceTypes.FlowOutput, list);
            return;
        }

        if (string.IsNullOrEmpty(source.Flow))
        {
            list.Add(FieldProblem.Required(Path + ".flow", "a flow-output event needs the upstream flow to watch"));
        }
        else
        {
            foreach (var error in Names.CheckSubdomain(source.Flow))
            {
                list.Add(FieldProblem.Invalid(Path + ".flow", source.Flow, error));
            }
        }

        if (source.OnPhase is { } phase && !FlowPhases.All.Contains(phase))
        {
            list.Add(FieldProblem.NotSupported(Path + ".onPhase", phase, FlowPhases.All));
        }
    }

    private static void ForbidUnless(string? value, string field, string requiredType, ProblemList list)
    {
        if (value is not null)
        {
            list.Add(FieldProblem.Forbidden(field, $"may only be set when type is \"{requiredType}\""));
        }
    }
}
