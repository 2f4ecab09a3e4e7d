using Arkonis.Model.Resources;
using Arkonis.Model.Schedules;

namespace Arkonis.Model.Defaulting;

/// <summary>
/// Fills the defaults of an ArkEvent in place: concurrencyPolicy Allow, suspend false, history limits 3 and 1, and by
/// source type timezone UTC (cron) or onPhase Succeeded (flow-output). Never overwrites a value that is set, never adds a
/// field the source type forbids, and a second run changes nothing.
/// </summary>
public static class ArkEventDefaulter
{
    /// <summary>Default <c>spec.successfulRunsHistoryLimit</c>.</summary>
    public const int SuccessfulRunsHistoryLimit = 3;

    /// <summary>Default <c>spec.failedRunsHistoryLimit</c>.</summary>
    public const int FailedRunsHistoryLimit = 1;

    /// <summary>Applies the defaults; true when anything changed.</summary>
    public static bool Apply(ArkEvent arkEvent)
    {
        var spec = arkEvent.Spec ??= new ArkEventSpec();
        var changed = false;

        changed |= SetIfNull(spec.ConcurrencyPolicy, ConcurrencyPolicies.Allow, v => spec.ConcurrencyPolicy = v);
        changed |= SetIfNull(spec.Suspend, false, v => spec.Suspend = v);
        changed |= SetIfNull(spec.SuccessfulRunsHistoryLimit, SuccessfulRunsHistoryLimit, v => spec.SuccessfulRunsHistoryLimit = v);
        changed |= SetIfNull(spec.FailedRunsHistoryLimit, FailedRunsHistoryLimit, v => spec.FailedRunsHistoryLimit = v);

        if (spec.Source is { } source)
        {
            switch (source.Type)
            {
                case SourceTypes.Cron:
                    changed |= SetIfNull(source.Timezone, TimeZones.DefaultId, v => source.Timezone = v);
                    break;
                case SourceTypes.FlowOutput:
                    changed |= SetIfNull(source.OnPhase, FlowPhases.Succeeded, v => source.OnPhase = v);
                    break;
            }
        }

        return changed;
    }

    private static bool SetIfNull<T>(T? current, T value, Action<T> set)
    {
        if (current is not null)
        {
            return false;
        }

        set(value);
        return true;
    }
}
