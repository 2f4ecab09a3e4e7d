using System.Globalization;

namespace Arkonis.Model.Validation;

/// <summary>
/// One problem with one field, worded as Kubernetes' <c>field.Error</c> words it, so that
/// <c>ToString()</c> reads like a line of <c>kubectl</c> output: <c>spec.source.cron: Required value</c>.
/// </summary>
/// <param name="Field">The field path, e.g. <c>spec.targets[1].pipeline</c>.</param>
/// <param name="Kind">The kind of problem.</param>
/// <param name="Message">The body after the path, e.g. <c>Invalid value: "61 * * * *": ...</c>.</param>
/// <param name="Reason">The Kubernetes cause type, e.g. <c>FieldValueInvalid</c>.</param>
public sealed record FieldProblem(string Field, ProblemKind Kind, string Message, string Reason)
{
    /// <summary><c>Required value</c>, with an optional detail.</summary>
    public static FieldProblem Required(string field, string? detail = null) =>
        new(field, ProblemKind.Required, WithDetail("Required value", detail), "FieldValueRequired");

    /// <summary><c>Invalid value: "x": detail</c>.</summary>
    public static FieldProblem Invalid(string field, object? value, string detail) =>
        new(field, ProblemKind.Invalid, WithDetail("Invalid value: " + GoValue.Format(value), detail), "FieldValueInvalid");

    /// <summary><c>Unsupported value: "x": supported values: "a", "b"</c>.</summary>
    public static FieldProblem NotSupported(string field, object? value, IEnumerable<string> supported)
    {
        var list = string.Join(", ", supported.Select(GoValue.Quote));
        var detail = list.Length == 0 ? null : "supported values: " + list;
        return new(field, ProblemKind.NotSupported, WithDetail("Unsupported value: " + GoValue.Format(value), detail), "FieldValueNotSupported");
    }

    /// <summary><c>Duplicate value: "x"</c>.</summary>
    public static FieldProblem Duplicate(string field, object? value) =>
        new(field, ProblemKind.Duplicate, "Duplicate value: " + GoValue.Format(value), "FieldValueDuplicate");

    /// <summary><c>Forbidden: detail</c>.</summary>
    public static FieldProblem Forbidden(string field, string detail) =>
        new(field, ProblemKind.Forbidden, WithDetail("Forbidden", detail), "FieldValueForbidden");

    /// <summary><c>Too many: 51: must have at most 50 items</c>.</summary>
    public static FieldProblem TooMany(string field, int actual, int max) =>
        new(field, ProblemKind.TooMany,
            string.Create(CultureInfo.InvariantCulture, $"Too many: {actual}: must have at most {max} {(max == 1 ? "item" : "items")}"),
            "FieldValueTooMany");

    /// <summary><c>Too long: may not be more than 63 bytes</c> (the value itself is omitted, as Kubernetes does).</summary>
    public static FieldProblem TooLong(string field, int maxBytes) =>
        new(field, ProblemKind.TooLong,
            string.Create(CultureInfo.InvariantCulture, $"Too long: may not be more than {maxBytes} {(maxBytes == 1 ? "byte" : "bytes")}"),
            "FieldValueTooLong");

    /// <inheritdoc />
    public override string ToString() => Field + ": " + Message;

    private static string WithDetail(string head, string? detail) =>
        string.IsNullOrEmpty(detail) ? head : head + ": " + detail;
}
