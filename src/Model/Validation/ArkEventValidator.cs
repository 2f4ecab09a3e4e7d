using Arkonis.Model.Resources;
using FluentValidation;
using k8s.Models;

namespace Arkonis.Model.Validation;

/// <summary>
/// Validates an ArkEvent: every problem at once, each at its Kubernetes field path with Kubernetes' wording, plus
/// warnings (<see cref="Severity.Warning"/>). Composed of the metadata, source, targets, inputs and policies validators;
/// <see cref="KubernetesCauses.From"/> reads the result as the causes admission and the catalog print. Never throws for
/// a bad object: a missing spec, source or list is a problem, not an exception. Stateless and thread-safe once built.
/// Whether an object is admitted is <see cref="KubernetesCauses.IsValid"/>: FluentValidation's own <c>IsValid</c>
/// also counts warnings.
/// </summary>
public sealed class ArkEventValidator : AbstractValidator<ArkEvent>
{
    /// <summary>The most targets one event may fire.</summary>
    public const int MaxTargets = 50;

    /// <summary>The most <c>input</c> entries one target may have (the CRD's <c>maxProperties</c>).</summary>
    public const int MaxInputKeys = 64;

    private const string PreviousKey = "arkonis.dev/previous";

    /// <param name="time">The clock for advice about the coming year (daylight-saving gaps); nothing else reads it.</param>
    public ArkEventValidator(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);

        RuleFor(static e => e.Metadata ?? new V1ObjectMeta())
            .SetValidator(new MetadataValidator())
            .OverridePropertyName("metadata");

        RuleFor(static e => e.Spec)
            .Cascade(CascadeMode.Stop)
            .NotNull().Required()
            .SetValidator(new SpecValidator(time))
            .OverridePropertyName("spec");
    }

    /// <summary>
    /// The validation context for <paramref name="arkEvent"/>; <paramref name="previous"/> is the stored object on UPDATE
    /// (null on CREATE), so that rules about transitions can tell the two apart.
    /// </summary>
    public static ValidationContext<ArkEvent> ContextFor(ArkEvent arkEvent, ArkEvent? previous)
    {
        var context = new ValidationContext<ArkEvent>(arkEvent);
        if (previous is not null)
        {
            context.RootContextData[PreviousKey] = previous;
        }

        return context;
    }

    /// <summary>Validates <paramref name="arkEvent"/> (an UPDATE when <paramref name="previous"/> is set) and reads the result as Kubernetes causes.</summary>
    public KubernetesCauses Check(ArkEvent arkEvent, ArkEvent? previous = null) =>
        KubernetesCauses.From(Validate(ContextFor(arkEvent, previous)));

    /// <summary>The stored object of an UPDATE, as given to <see cref="ContextFor"/>; null on CREATE.</summary>
    internal static ArkEvent? PreviousOf<T>(ValidationContext<T> context) =>
        context.RootContextData.TryGetValue(PreviousKey, out var previous) ? previous as ArkEvent : null;
}
