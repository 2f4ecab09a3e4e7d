using System.Globalization;
using Arkonis.Model.Resources;
using Arkonis.Model.Schedules;
using FluentValidation;

namespace Arkonis.Model.Validation;

/// <summary>
/// <c>spec.source</c>: a known type, and exactly the fields that type uses (cron + timezone; flow + onPhase). Fields of
/// another type are Forbidden rather than ignored, so a typo in <c>type</c> cannot silently turn a schedule off.
/// </summary>
internal sealed class SourceValidator : AbstractValidator<EventSource>
{
    public SourceValidator(TimeProvider time)
    {
        RuleFor(static s => s.Type)
            .Cascade(CascadeMode.Stop)
            .NotNullOrEmpty().Required()
            .Must(static type => SourceTypes.All.Contains(type!)).NotSupported(SourceTypes.All)
            .OverridePropertyName("type");

        // An unknown type is reported once, at the type; the fields are judged only against a known one.
        When(static s => SourceTypeRules.Supported(s.Type) is not null, () =>
        {
            When(static s => s.Type == SourceTypes.Cron, () => CronRules(time)).Otherwise(ForbidCronFields);
            When(static s => s.Type == SourceTypes.FlowOutput, FlowRules).Otherwise(ForbidFlowFields);
        });
    }

    private void CronRules(TimeProvider time)
    {
        RuleFor(static s => s.Cron)
            .Cascade(CascadeMode.Stop)
            .NotNullOrEmpty().Required("a cron event needs a schedule such as \"0 8 * * *\"")
            .Must(static cron => cron!.Length <= CronSyntax.MaxLength).TooLong(CronSyntax.MaxLength)
            .Must(static cron => ParseCron(cron!).Error is null).Invalid(static (_, cron) => ParseCron(cron!).Error!)
            .OverridePropertyName("cron");

        RuleFor(static s => s.Timezone)
            .Cascade(CascadeMode.Stop)
            .Must(static id => ResolveZone(id).Error is null).Invalid(static (_, id) => ResolveZone(id).Error!)
            .Must(static id => !TimeZones.IsFixedOffsetEtcZone(id!)).Warning(static (_, id) => FixedOffsetAdvice(id!))
            .OverridePropertyName("timezone")
            .When(static s => s.Timezone is not null);

        // The gap search runs once per validation: the rule's value is its result.
        RuleFor(s => FirstGapHit(s, time))
            .Must(static hit => hit is null).Warning(static (_, hit) => GapAdvice(hit!.Value))
            .OverridePropertyName("cron");
    }

    private void FlowRules()
    {
        RuleFor(static s => s.Flow)
            .NotNullOrEmpty().Required("a flow-output event needs the upstream flow to watch")
            .OverridePropertyName("flow");

        RuleFor(static s => s.Flow)
            .Dns1123Subdomain()
            .OverridePropertyName("flow")
            .When(static s => !string.IsNullOrEmpty(s.Flow));

        RuleFor(static s => s.OnPhase)
            .Must(static phase => FlowPhases.All.Contains(phase!)).NotSupported(FlowPhases.All)
            .OverridePropertyName("onPhase")
            .When(static s => s.OnPhase is not null);
    }

    private void ForbidCronFields()
    {
        RuleFor(static s => s.Cron).Null().Forbidden(SourceTypeRules.OnlyFor(SourceTypes.Cron)).OverridePropertyName("cron");
        RuleFor(static s => s.Timezone).Null().Forbidden(SourceTypeRules.OnlyFor(SourceTypes.Cron)).OverridePropertyName("timezone");
    }

    private void ForbidFlowFields()
    {
        RuleFor(static s => s.Flow).Null().Forbidden(SourceTypeRules.OnlyFor(SourceTypes.FlowOutput)).OverridePropertyName("flow");
        RuleFor(static s => s.OnPhase).Null().Forbidden(SourceTypeRules.OnlyFor(SourceTypes.FlowOutput)).OverridePropertyName("onPhase");
    }

    private static (CronRule? Expression, string? Error) ParseCron(string cron) =>
        CronSchedule.TryParseExpression(cron, out var expression, out var error) ? (expression, null) : (null, error);

    private static (TimeZoneInfo? Zone, string? Error) ResolveZone(string? id) =>
        id is null ? (TimeZoneInfo.Utc, null)
        : TimeZones.TryResolve(id, out var zone, out var error) ? (zone, null)
        : (null, error);

    // The first day in the coming year whose skipped wall-clock times the schedule names; null when there is none or
    // when the schedule or the zone is itself a problem (reported above).
    private static (DateOnly Day, string Zone)? FirstGapHit(EventSource source, TimeProvider time)
    {
        if (string.IsNullOrEmpty(source.Cron) || source.Cron.Length > CronSyntax.MaxLength
            || ParseCron(source.Cron).Expression is not { } expression || ResolveZone(source.Timezone).Zone is not { } zone)
        {
            return null;
        }

        return DaylightSaving.FirstGapHit(expression, zone, time.GetUtcNow()) is { } day ? (day, zone.Id) : null;
    }

    private static string GapAdvice((DateOnly Day, string Zone) hit)
    {
        var (day, zone) = hit;
        return string.Create(CultureInfo.InvariantCulture,
            $"some times fall in the daylight-saving gap of {zone} (e.g. {day:yyyy-MM-dd}); on such days the event fires once right after the gap");
    }

    private static string FixedOffsetAdvice(string id)
    {
        var offset = ResolveZone(id).Zone!.BaseUtcOffset;
        var sign = offset < TimeSpan.Zero ? "-" : "+";
        return $"\"{id}\" is the fixed offset UTC{sign}{offset.Duration():hh\\:mm} (Etc/ names invert the sign) and never follows daylight saving";
    }
}
