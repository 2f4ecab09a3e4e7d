using Arkonis.Model.Resources;

namespace Arkonis.Model.Validation;

/// <summary>
/// Validates an ArkEvent and returns every problem at once, each with a Kubernetes field path and Kubernetes' wording,
/// plus warnings. Never throws for a bad object: a missing spec, source or list is a problem, not an exception.
/// </summary>
public static class ArkEventValidator
{
    /// <summary>The most targets one event may fire.</summary>
    public const int MaxTargets = 50;

    /// <summary>Validates a new object (as on CREATE).</summary>
    public static ValidationResult Validate(ArkEvent arkEvent) => Validate(arkEvent, ValidationContext.Create);

    /// <summary>Validates an object; <paramref name="context"/> tells an UPDATE from a CREATE and carries the clock.</summary>
    public static ValidationResult Validate(ArkEvent arkEvent, ValidationContext context)
    {
        var list = new ProblemList();
        MetadataRules.Check(arkEvent, list);

        if (arkEvent.Spec is not { } spec)
        {
            list.Add(FieldProblem.Required("spec"));
            return list.ToResult();
        }

        var type = SourceRules.Check(spec.Source, list, context.Time ?? TimeProvider.System);
        TargetRules.Check(spec, type, list);
        SpecRules.Check(spec, type, list, context.Previous);
        return list.ToResult();
    }
}
