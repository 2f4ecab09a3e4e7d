namespace Arkonis.Model.Validation;

/// <summary>Collects problems and warnings while the rules run.</summary>
internal sealed class ProblemList
{
    public List<FieldProblem> Problems { get; } = [];

    public List<string> Warnings { get; } = [];

    public void Add(FieldProblem problem) => Problems.Add(problem);

    public void Warn(string field, string text) => Warnings.Add(field + ": " + text);

    public ValidationResult ToResult() => new(Problems.ToArray(), Warnings.ToArray());
}
