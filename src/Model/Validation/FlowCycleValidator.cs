using Arkonis.Model.Cycles;
using Arkonis.Model.Resources;
using FluentValidation;

namespace Arkonis.Model.Validation;

/// <summary>
/// The cross-object check admission adds: a flow-output event that would close a loop through the other events of its
/// namespace is Forbidden at <c>spec.source.flow</c>, naming the loop. The other events are this validator's input,
/// given by the caller (who listed them); it reads nothing else.
/// </summary>
public sealed class FlowCycleValidator : AbstractValidator<ArkEvent>
{
    /// <param name="sameNamespace">The other ArkEvents of the candidate's namespace (a stored copy of the candidate itself is ignored).</param>
    public FlowCycleValidator(IEnumerable<ArkEvent> sameNamespace)
    {
        var others = sameNamespace.ToArray();
        // The rule's value is the loop found (searched once), null when there is none.
        RuleFor(e => FlowCycles.FindCycle(e, others))
            .Null()
            .Forbidden(static (_, cycle) => "would start an endless loop of flow-output events: " + string.Join("; ", cycle!))
            .OverridePropertyName("spec.source.flow");
    }
}
