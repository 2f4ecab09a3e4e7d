using Arkonis.Model.Resources;
using FluentValidation;

namespace Arkonis.Model.Validation;

/// <summary><c>spec</c>: the source, then the targets (1..50, each through <see cref="TargetValidator"/>), then the policies.</summary>
internal sealed class SpecValidator : AbstractValidator<ArkEventSpec>
{
    public SpecValidator(TimeProvider time)
    {
        RuleFor(static s => s.Source)
            .Cascade(CascadeMode.Stop)
            .NotNull().Required()
            .SetValidator(new SourceValidator(time)!)
            .OverridePropertyName("source");

        RuleFor(static s => s.Targets)
            .Cascade(CascadeMode.Stop)
            .Must(static targets => targets is { Count: > 0 }).Required("at least one target pipeline is required")
            .Must(static targets => targets!.Count <= ArkEventValidator.MaxTargets).TooMany(static targets => targets!.Count, ArkEventValidator.MaxTargets)
            .OverridePropertyName("targets");

        // Each target is seen with what it needs of the rest of the spec (source type, source flow, earlier pipelines).
        // No Cascade(Stop) here: on a collection rule it would stop at the first failing item, not per item.
        RuleForEach(static s => TargetInEvent.All(s))
            .SetValidator(new TargetValidator())
            .OverridePropertyName("targets");

        Include(new PolicyValidator());
    }
}

/// <summary>One item of <c>spec.targets</c> together with what its rules need from the rest of the spec.</summary>
/// <param name="Target">The item; null when the list holds a null.</param>
/// <param name="SourceType">The event's source type when it is a supported one, else null (then no type-dependent rule applies).</param>
/// <param name="SourceFlow">The upstream flow of a flow-output event.</param>
/// <param name="RepeatsEarlier">Whether an earlier item names the same pipeline.</param>
internal sealed record TargetInEvent(EventTarget? Target, string? SourceType, string? SourceFlow, bool RepeatsEarlier)
{
    public static IEnumerable<TargetInEvent> All(ArkEventSpec spec)
    {
        var type = SourceTypeRules.Supported(spec.Source?.Type);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var target in spec.Targets ?? [])
        {
            var pipeline = target?.Pipeline;
            var repeats = !string.IsNullOrEmpty(pipeline) && !seen.Add(pipeline);
            yield return new TargetInEvent(target, type, spec.Source?.Flow, repeats);
        }
    }
}
