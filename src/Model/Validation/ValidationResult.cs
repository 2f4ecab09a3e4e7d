namespace Arkonis.Model.Validation;

/// <summary>Every problem found in an ArkEvent, plus warnings that do not block it.</summary>
/// <param name="Problems">All problems, in the order the fields appear.</param>
/// <param name="Warnings">Advice that does not make the object invalid (e.g. created suspended).</param>
public sealed record ValidationResult(IReadOnlyList<FieldProblem> Problems, IReadOnlyList<string> Warnings)
{
    /// <summary>True when there is no problem (warnings do not count).</summary>
    public bool IsValid => Problems.Count == 0;

    /// <summary>
    /// The message Kubernetes' <c>NewInvalid</c> would build: <c>ArkEvent.arkonis.dev "x" is invalid: &lt;problem&gt;</c>
    /// for one problem, <c>[p1, p2]</c> for several (duplicates dropped, order kept), no list at all for none.
    /// </summary>
    public string ToInvalidMessage(string name)
    {
        var head = $"{Resources.ArkEvent.KindName}.{Resources.ArkEvent.Group} \"{name}\" is invalid";
        var distinct = Problems.Select(static p => p.ToString()).Distinct(StringComparer.Ordinal).ToArray();
        return distinct.Length switch
        {
            0 => head,
            1 => head + ": " + distinct[0],
            _ => head + ": [" + string.Join(", ", distinct) + "]",
        };
    }
}
