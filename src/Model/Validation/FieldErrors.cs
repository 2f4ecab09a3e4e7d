using System.Globalization;
using FluentValidation;

namespace Arkonis.Model.Validation;

/// <summary>
/// Kubernetes' <c>field.Error</c> wording for FluentValidation rules. Each method ends a rule component: the reason
/// (<see cref="FieldReasons"/>) becomes the failure's <c>ErrorCode</c> and the exact body after the field path
/// (<c>Invalid value: "x": detail</c>) its <c>CustomState</c>, which <see cref="KubernetesCauses"/> reads. The same text
/// is the <c>ErrorMessage</c> for anyone reading the failure directly, but that copy has passed through FluentValidation's
/// placeholder formatter, which rewrites a user's value such as <c>{PropertyName}</c>; the state is kept verbatim.
/// </summary>
internal static class FieldErrors
{
    /// <summary>The error code of a warning (warnings carry no Kubernetes reason).</summary>
    public const string WarningCode = "Warning";

    /// <summary><c>Required value</c>, with an optional detail.</summary>
    public static IRuleBuilderOptions<T, TProperty> Required<T, TProperty>(this IRuleBuilderOptions<T, TProperty> rule, string? detail = null) =>
        rule.Report(FieldReasons.Required, (_, _) => WithDetail("Required value", detail));

    /// <summary><c>Invalid value: &lt;the value&gt;: detail</c>.</summary>
    public static IRuleBuilderOptions<T, TProperty> Invalid<T, TProperty>(this IRuleBuilderOptions<T, TProperty> rule, string detail) =>
        rule.Invalid((_, _) => detail);

    /// <summary>
    /// <c>Invalid value: &lt;the value&gt;: detail</c>, the detail computed from the object and the value; <paramref name="shown"/>
    /// picks the value to show when it is not the checked one (e.g. the whole template rather than one of its variables).
    /// </summary>
    public static IRuleBuilderOptions<T, TProperty> Invalid<T, TProperty>(
        this IRuleBuilderOptions<T, TProperty> rule, Func<T, TProperty, string> detail, Func<T, TProperty, object?>? shown = null) =>
        rule.Report(FieldReasons.Invalid, (parent, value) =>
            WithDetail("Invalid value: " + GoValue.Format(shown is null ? value : shown(parent, value)), detail(parent, value)));

    /// <summary><c>Unsupported value: "x": supported values: "a", "b"</c>.</summary>
    public static IRuleBuilderOptions<T, TProperty> NotSupported<T, TProperty>(this IRuleBuilderOptions<T, TProperty> rule, IEnumerable<string> supported)
    {
        var list = string.Join(", ", supported.Select(GoValue.Quote));
        var detail = list.Length == 0 ? null : "supported values: " + list;
        return rule.Report(FieldReasons.NotSupported, (_, value) => WithDetail("Unsupported value: " + GoValue.Format(value), detail));
    }

    /// <summary><c>Duplicate value: "x"</c>.</summary>
    public static IRuleBuilderOptions<T, TProperty> Duplicate<T, TProperty>(this IRuleBuilderOptions<T, TProperty> rule) =>
        rule.Report(FieldReasons.Duplicate, (_, value) => "Duplicate value: " + GoValue.Format(value));

    /// <summary><c>Forbidden: detail</c>.</summary>
    public static IRuleBuilderOptions<T, TProperty> Forbidden<T, TProperty>(this IRuleBuilderOptions<T, TProperty> rule, Func<T, TProperty, string> detail) =>
        rule.Report(FieldReasons.Forbidden, (parent, value) => WithDetail("Forbidden", detail(parent, value)));

    /// <summary><c>Forbidden: detail</c>.</summary>
    public static IRuleBuilderOptions<T, TProperty> Forbidden<T, TProperty>(this IRuleBuilderOptions<T, TProperty> rule, string detail) =>
        rule.Forbidden((_, _) => detail);

    /// <summary><c>Too many: 51: must have at most 50 items</c>.</summary>
    public static IRuleBuilderOptions<T, TProperty> TooMany<T, TProperty>(this IRuleBuilderOptions<T, TProperty> rule, Func<TProperty, int> count, int max) =>
        rule.Report(FieldReasons.TooMany, (_, value) =>
            string.Create(CultureInfo.InvariantCulture, $"Too many: {count(value)}: must have at most {max} {(max == 1 ? "item" : "items")}"));

    /// <summary><c>Too long: may not be more than 63 bytes</c> (the value itself is omitted, as Kubernetes does).</summary>
    public static IRuleBuilderOptions<T, TProperty> TooLong<T, TProperty>(this IRuleBuilderOptions<T, TProperty> rule, int maxBytes) =>
        rule.Report(FieldReasons.TooLong, (_, _) =>
            string.Create(CultureInfo.InvariantCulture, $"Too long: may not be more than {maxBytes} {(maxBytes == 1 ? "byte" : "bytes")}"));

    /// <summary>Makes the component a warning with the given text: it never makes the object invalid.</summary>
    public static IRuleBuilderOptions<T, TProperty> Warning<T, TProperty>(this IRuleBuilderOptions<T, TProperty> rule, Func<T, TProperty, string> text) =>
        rule.Report(WarningCode, text).WithSeverity(Severity.Warning);

    /// <summary>Fails for null and for "" (FluentValidation's <c>NotEmpty</c> would also fail blanks, which are Invalid here).</summary>
    public static IRuleBuilderOptions<T, string?> NotNullOrEmpty<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(static value => !string.IsNullOrEmpty(value));

    /// <summary>A DNS-1123 label, reporting the length and the syntax separately as apimachinery does. Null passes.</summary>
    public static IRuleBuilderOptions<T, string?> Dns1123Label<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(static value => value is null || value.Length <= Names.LabelMaxLength).Invalid(Names.NoMoreThan(Names.LabelMaxLength))
            .Must(static value => value is null || Names.HasLabelSyntax(value)).Invalid(Names.LabelSyntaxMessage);

    /// <summary>A DNS-1123 subdomain, reporting the length and the syntax separately as apimachinery does. Null passes.</summary>
    public static IRuleBuilderOptions<T, string?> Dns1123Subdomain<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(static value => value is null || value.Length <= Names.SubdomainMaxLength).Invalid(Names.NoMoreThan(Names.SubdomainMaxLength))
            .Must(static value => value is null || Names.HasSubdomainSyntax(value)).Invalid(Names.SubdomainSyntaxMessage);

    /// <summary>
    /// Reports at the path of the enclosing collection element rather than at a property of it: used by element
    /// validators whose failures belong to the element itself, e.g. <c>spec.targets[0].input[topic]</c>.
    /// </summary>
    public static IRuleBuilderOptions<T, TProperty> AtElement<T, TProperty>(this IRuleBuilderOptions<T, TProperty> rule) =>
        rule.Configure(static r => r.PropertyName = string.Empty);

    private static IRuleBuilderOptions<T, TProperty> Report<T, TProperty>(this IRuleBuilderOptions<T, TProperty> rule, string code, Func<T, TProperty, string> body) =>
        rule.WithErrorCode(code).WithState((parent, value) => body(parent, value)).WithMessage((parent, value) => body(parent, value));

    private static string WithDetail(string head, string? detail) =>
        string.IsNullOrEmpty(detail) ? head : head + ": " + detail;
}
