// TEMPORARY: the Model API announced in BRIEF-COMMON, until branch `model` lands on main. Delete on merge.
#pragma warning disable CA1050, CS1591
using Arkonis.Model.Resources;
using Cronos;

namespace Arkonis.Model.Validation
{
    public enum ProblemKind { Required, Invalid, Unsupported }

    public sealed record FieldProblem(string Field, ProblemKind Kind, string Message, string Reason)
    {
        public override string ToString() => $"{Field}: {Message}";
    }

    public sealed record ValidationResult(IReadOnlyList<FieldProblem> Problems, IReadOnlyList<string> Warnings)
    {
        public bool IsValid => Problems.Count == 0;
    }

    public static class ArkEventValidator
    {
        public static ValidationResult Validate(ArkEvent arkEvent)
        {
            var problems = new List<FieldProblem>();
            var type = arkEvent.Spec.Source?.Type;
            if (type is null || !SourceTypes.All.Contains(type))
            {
                problems.Add(new("spec.source.type", ProblemKind.Unsupported, $"Unsupported value: \"{type}\"", "FieldValueNotSupported"));
            }
            if (type == SourceTypes.Cron && !Schedules.CronSchedule.TryParse(arkEvent.Spec.Source!.Cron ?? "", arkEvent.Spec.Source.Timezone, out _, out var error))
            {
                problems.Add(new("spec.source.cron", ProblemKind.Invalid, $"Invalid value: \"{arkEvent.Spec.Source.Cron}\": {error}", "FieldValueInvalid"));
            }
            if (arkEvent.Spec.Targets is not { Count: > 0 })
            {
                problems.Add(new("spec.targets", ProblemKind.Required, "Required value", "FieldValueRequired"));
            }
            return new(problems, []);
        }
    }
}

namespace Arkonis.Model.Defaulting
{
    public static class ArkEventDefaulter
    {
        public static bool Apply(ArkEvent arkEvent)
        {
            var changed = arkEvent.Spec.ConcurrencyPolicy is null;
            arkEvent.Spec.ConcurrencyPolicy ??= ConcurrencyPolicies.Allow;
            return changed;
        }
    }
}

namespace Arkonis.Model.Schedules
{
    public sealed class CronSchedule
    {
        private readonly CronExpression _expression;
        private readonly TimeZoneInfo _zone;

        private CronSchedule(CronExpression expression, TimeZoneInfo zone) => (_expression, _zone) = (expression, zone);

        public static bool TryParse(string expression, string? timeZone, out CronSchedule? schedule, out string? error)
        {
            schedule = null;
            error = null;
            if (!CronExpression.TryParse(expression, CronFormat.Standard, out var parsed))
            {
                error = "not a valid cron expression";
                return false;
            }
            if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone ?? "UTC", out var zone))
            {
                error = "unknown time zone";
                return false;
            }
            schedule = new CronSchedule(parsed, zone);
            return true;
        }

        public DateTimeOffset? GetNextOccurrence(DateTimeOffset afterExclusive) => _expression.GetNextOccurrence(afterExclusive, _zone);
    }
}
