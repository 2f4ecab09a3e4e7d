namespace Arkonis.Model.Validation;

/// <summary>
/// One cause of a Kubernetes <c>NewInvalid</c> status, as <see cref="KubernetesCauses"/> reads it from a FluentValidation
/// failure. <c>ToString()</c> reads like a line of <c>kubectl</c> output: <c>spec.source.cron: Required value</c>.
/// </summary>
/// <param name="Field">The field path, e.g. <c>spec.targets[1].pipeline</c>.</param>
/// <param name="Reason">The Kubernetes cause type, e.g. <c>FieldValueInvalid</c> (see <see cref="FieldReasons"/>).</param>
/// <param name="Message">The body after the path, e.g. <c>Invalid value: "61 * * * *": ...</c>.</param>
public sealed record FieldProblem(string Field, string Reason, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Field + ": " + Message;
}
