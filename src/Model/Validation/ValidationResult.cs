namespace Arkonis.Model.Validation;

/// <summary>Every problem found in an ArkEvent, plus warnings that do not block it.</summary>
/// <param name="Problems">All problems, in the order the fields appear.</param>
/// <param name="Warnings">Advice that does not make the object invalid (e.g. created suspended).</param>
public sealed record ValidationResult(IReadOnlyList<FieldProblem> Problems, IReadOnlyList<string> Warnings)
{
    /// <summary>True when there is no problem (warnings do not count).</summary>
    public bool IsValid => Problems.Count == 0;
}
