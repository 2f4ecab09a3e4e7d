using Arkonis.Model.Cycles;
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

    /// <summary>The most <c>input</c> entries one target may have (the CRD's <c>maxProperties</c>).</summary>
    public const int MaxInputKeys = 64;

    /// <summary>Validates a new object (as on CREATE).</summary>
    public static ValidationResult Validate(ArkEvent arkEvent) => Validate(arkEvent, ValidationContext.ForCreate);

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

    /// <summary>
    /// The cross-object check admission adds: a flow-output event that would close a loop through the other events of
    /// its namespace is Forbidden at <c>spec.source.flow</c>, naming the loop. Null when there is no loop.
    /// </summary>
    public static FieldProblem? CheckCycle(ArkEvent candidate, IEnumerable<ArkEvent> sameNamespace) =>
        FlowCycles.FindCycle(candidate, sameNamespace) is { } cycle
            ? FieldProblem.Forbidden("spec.source.flow", "would start an endless loop of flow-output events: " + string.Join("; ", cycle))
            : null;
}
