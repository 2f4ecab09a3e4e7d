using FluentValidation;
using FluentValidation.Results;

namespace Arkonis.Model.Validation;

/// <summary>
/// A FluentValidation result read the way Kubernetes reports it: the errors as the causes of a <c>NewInvalid</c>
/// status (field path, reason, message) and the warnings as the lines of <c>response.warnings</c>.
/// </summary>
/// <param name="Problems">Every error, in the order the rules found them.</param>
/// <param name="Warnings">Advice that does not make the object invalid, as <c>field: text</c>.</param>
public sealed record KubernetesCauses(IReadOnlyList<FieldProblem> Problems, IReadOnlyList<string> Warnings)
{
    /// <summary>True when there is no problem (warnings do not count).</summary>
    public bool IsValid => Problems.Count == 0;

    /// <summary>
    /// The one mapping from FluentValidation to Kubernetes: the failure's property path is the field, its error code
    /// the reason, its custom state (else its message) the text; <see cref="Severity.Warning"/> failures are warnings.
    /// </summary>
    public static KubernetesCauses From(ValidationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var problems = new List<FieldProblem>();
        var warnings = new List<string>();
        foreach (var failure in result.Errors)
        {
            var text = failure.CustomState as string ?? failure.ErrorMessage;
            if (failure.Severity == Severity.Error)
            {
                problems.Add(new FieldProblem(failure.PropertyName, failure.ErrorCode, text));
            }
            else
            {
                warnings.Add(failure.PropertyName + ": " + text);
            }
        }

        return new KubernetesCauses(problems, warnings);
    }

    /// <summary>
    /// The message Kubernetes' <c>NewInvalid</c> builds from causes: <c>ArkEvent.arkonis.dev "x" is invalid: &lt;problem&gt;</c>
    /// for one, <c>[p1, p2]</c> for several (duplicates dropped, order kept), no list at all for none.
    /// </summary>
    public static string InvalidMessage(string name, IEnumerable<FieldProblem> problems)
    {
        var head = $"{Resources.ArkEvent.KindName}.{Resources.ArkEvent.Group} \"{name}\" is invalid";
        var distinct = problems.Select(static p => p.ToString()).Distinct(StringComparer.Ordinal).ToArray();
        return distinct.Length switch
        {
            0 => head,
            1 => head + ": " + distinct[0],
            _ => head + ": [" + string.Join(", ", distinct) + "]",
        };
    }
}
