using Arkonis.Model.Resources;

namespace Arkonis.Model.Validation;

/// <summary>The scalar fields of the spec: concurrency policy, starting deadline, history limits, suspend.</summary>
internal static class SpecRules
{
    private const string NonNegative = "must be greater than or equal to 0";

    public static void Check(ArkEventSpec spec, string? type, ProblemList list, ArkEvent? previous)
    {
        if (spec.ConcurrencyPolicy is { } policy && !ConcurrencyPolicies.All.Contains(policy))
        {
            list.Add(FieldProblem.NotSupported("spec.concurrencyPolicy", policy, ConcurrencyPolicies.All));
        }

        if (spec.StartingDeadlineSeconds is { } deadline)
        {
            if (type is not null && type != SourceTypes.Cron)
            {
                list.Add(FieldProblem.Forbidden("spec.startingDeadlineSeconds", $"may only be set when type is \"{SourceTypes.Cron}\""));
            }
            else if (deadline < 0)
            {
                list.Add(FieldProblem.Invalid("spec.startingDeadlineSeconds", deadline, NonNegative));
            }
        }

        if (spec.SuccessfulRunsHistoryLimit is < 0)
        {
            list.Add(FieldProblem.Invalid("spec.successfulRunsHistoryLimit", spec.SuccessfulRunsHistoryLimit.Value, NonNegative));
        }

        if (spec.FailedRunsHistoryLimit is < 0)
        {
            list.Add(FieldProblem.Invalid("spec.failedRunsHistoryLimit", spec.FailedRunsHistoryLimit.Value, NonNegative));
        }

        if (spec.Suspend == true && previous is null)
        {
            list.Warn("spec.suspend", "the event is created suspended and will not fire until suspend is set to false");
        }
    }
}
