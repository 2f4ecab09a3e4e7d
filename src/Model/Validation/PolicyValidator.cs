using Arkonis.Model.Resources;
using FluentValidation;

namespace Arkonis.Model.Validation;

/// <summary>The scalar fields of the spec: concurrency policy, starting deadline, history limits, suspend.</summary>
internal sealed class PolicyValidator : AbstractValidator<ArkEventSpec>
{
    private const string NonNegative = "must be greater than or equal to 0";

    public PolicyValidator()
    {
        RuleFor(static s => s.ConcurrencyPolicy)
            .Must(static policy => ConcurrencyPolicies.All.Contains(policy!)).NotSupported(ConcurrencyPolicies.All)
            .OverridePropertyName("concurrencyPolicy")
            .When(static s => s.ConcurrencyPolicy is not null);

        // Only a cron event has a deadline to miss; with an unknown type the type alone is reported.
        RuleFor(static s => s.StartingDeadlineSeconds)
            .Cascade(CascadeMode.Stop)
            .Must(static (s, _) => SourceTypeRules.Supported(s.Source?.Type) is null or SourceTypes.Cron)
            .Forbidden(SourceTypeRules.OnlyFor(SourceTypes.Cron))
            .Must(static deadline => deadline >= 0).Invalid(NonNegative)
            .OverridePropertyName("startingDeadlineSeconds")
            .When(static s => s.StartingDeadlineSeconds is not null);

        RuleFor(static s => s.SuccessfulRunsHistoryLimit)
            .Must(static limit => limit is not < 0).Invalid(NonNegative)
            .OverridePropertyName("successfulRunsHistoryLimit");

        RuleFor(static s => s.FailedRunsHistoryLimit)
            .Must(static limit => limit is not < 0).Invalid(NonNegative)
            .OverridePropertyName("failedRunsHistoryLimit");

        // Advice for a CREATE only: suspending an existing event is deliberate.
        RuleFor(static s => s.Suspend)
            .Must(static (_, suspend, context) => suspend != true || ArkEventValidator.PreviousOf(context) is not null)
            .Warning(static (_, _) => "the event is created suspended and will not fire until suspend is set to false")
            .OverridePropertyName("suspend");
    }
}
