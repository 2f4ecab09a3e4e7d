using Arkonis.Model.Resources;
using FluentValidation;

namespace Arkonis.Model.Validation;

/// <summary>
/// One item of <c>spec.targets</c>: a pipeline that is a DNS-1123 label (it becomes the <c>arkonis.dev/pipeline</c>
/// label value), unique in the list, never the event's own source flow; and its <c>input</c> (at most
/// <see cref="ArkEventValidator.MaxInputKeys"/> entries, each through <see cref="InputValidator"/>, in key order).
/// </summary>
internal sealed class TargetValidator : AbstractValidator<TargetInEvent>
{
    public TargetValidator()
    {
        RuleFor(static t => t.Target)
            .NotNull().Required()
            .AtElement();

        When(static t => t.Target is not null, ItemRules);
    }

    private void ItemRules()
    {
        RuleFor(static t => t.Target!.Pipeline)
            .NotNullOrEmpty().Required()
            .OverridePropertyName("pipeline");

        When(static t => !string.IsNullOrEmpty(t.Target!.Pipeline), () =>
        {
            RuleFor(static t => t.Target!.Pipeline)
                .Dns1123Label()
                .Must(static (t, _) => !t.RepeatsEarlier).Duplicate()
                .Must(static (t, pipeline) => !(t.SourceType == SourceTypes.FlowOutput && pipeline == t.SourceFlow))
                .Forbidden(static (_, pipeline) => $"targets the event's own source flow \"{pipeline}\": every run would fire the event again (endless loop)")
                .OverridePropertyName("pipeline");
        });

        RuleFor(static t => t.Target!.Input)
            .Must(static input => input!.Count <= ArkEventValidator.MaxInputKeys).TooMany(static input => input!.Count, ArkEventValidator.MaxInputKeys)
            .OverridePropertyName("input")
            .When(static t => t.Target!.Input is not null);

        RuleForEach(static t => InputEntry.All(t))
            .OverrideIndexer(static (_, _, entry, _) => $"[{entry.Key}]")
            .SetValidator(new InputValidator())
            .OverridePropertyName("input");
    }
}
