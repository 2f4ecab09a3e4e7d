using System.Text.Json.Nodes;
using Arkonis.Model.Resources;
using Arkonis.Model.Schedules;

namespace Arkonis.Model.Defaulting;

/// <summary>
/// Fills the defaults of an ArkEvent: concurrencyPolicy Allow, suspend false, history limits 3 and 1, and by source type
/// timezone UTC (cron) or onPhase Succeeded (flow-output). Never overwrites a value that is set, never adds a field the
/// source type forbids, and a second run changes nothing. One rule table serves both the in-place form
/// (<see cref="Apply"/>) and the patch form (<see cref="MissingDefaults"/>).
/// </summary>
public static class ArkEventDefaulter
{
    /// <summary>Default <c>spec.successfulRunsHistoryLimit</c>.</summary>
    public const int SuccessfulRunsHistoryLimit = 3;

    /// <summary>Default <c>spec.failedRunsHistoryLimit</c>.</summary>
    public const int FailedRunsHistoryLimit = 1;

    private static readonly Rule[] Rules =
    [
        new("concurrencyPolicy", s => s.ConcurrencyPolicy is null, s => s.ConcurrencyPolicy = ConcurrencyPolicies.Allow, Json(ConcurrencyPolicies.Allow)),
        new("suspend", s => s.Suspend is null, s => s.Suspend = false, JsonValue.Create(false)),
        new("successfulRunsHistoryLimit", s => s.SuccessfulRunsHistoryLimit is null, s => s.SuccessfulRunsHistoryLimit = SuccessfulRunsHistoryLimit, JsonValue.Create(SuccessfulRunsHistoryLimit)),
        new("failedRunsHistoryLimit", s => s.FailedRunsHistoryLimit is null, s => s.FailedRunsHistoryLimit = FailedRunsHistoryLimit, JsonValue.Create(FailedRunsHistoryLimit)),
        new("source/timezone", s => s.Source is { Type: SourceTypes.Cron, Timezone: null }, s => s.Source!.Timezone = TimeZones.DefaultId, Json(TimeZones.DefaultId)),
        new("source/onPhase", s => s.Source is { Type: SourceTypes.FlowOutput, OnPhase: null }, s => s.Source!.OnPhase = FlowPhases.Succeeded, Json(FlowPhases.Succeeded)),
    ];

    /// <summary>Applies the defaults in place; true when anything changed.</summary>
    public static bool Apply(ArkEvent arkEvent)
    {
        var changed = arkEvent.Spec is null;
        var spec = arkEvent.Spec ??= new ArkEventSpec();
        foreach (var rule in Rules)
        {
            if (rule.IsMissing(spec))
            {
                rule.Set(spec);
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>
    /// The defaults <see cref="Apply"/> would add, as JSON-pointer paths and values, for building an RFC 6902 patch
    /// against the object as received: every parent of every path exists (a missing spec is one <c>/spec</c> entry).
    /// Empty when nothing is missing.
    /// </summary>
    public static IReadOnlyList<DefaultedField> MissingDefaults(ArkEvent arkEvent)
    {
        if (arkEvent.Spec is null)
        {
            var spec = new JsonObject();
            foreach (var rule in Rules.Where(r => r.IsMissing(new ArkEventSpec())))
            {
                spec[rule.Path] = rule.Value.DeepClone();
            }

            return [new DefaultedField("/spec", spec)];
        }

        return Rules
            .Where(rule => rule.IsMissing(arkEvent.Spec))
            .Select(rule => new DefaultedField("/spec/" + rule.Path, rule.Value.DeepClone()))
            .ToArray();
    }

    private static JsonValue Json(string value) => JsonValue.Create(value)!;

    private sealed record Rule(string Path, Func<ArkEventSpec, bool> IsMissing, Action<ArkEventSpec> Set, JsonNode Value);
}

/// <summary>One default to add: where (a JSON pointer) and what.</summary>
/// <param name="Path">The JSON pointer, e.g. <c>/spec/concurrencyPolicy</c>.</param>
/// <param name="Value">The value to add.</param>
public sealed record DefaultedField(string Path, JsonNode Value);
