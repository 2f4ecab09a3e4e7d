using System.Globalization;
using System.Text.RegularExpressions;

namespace Arkonis.Model.Validation;

/// <summary>
/// Kubernetes name rules (apimachinery <c>IsDNS1123Label</c> / <c>IsDNS1123Subdomain</c>), with its messages. The
/// ArkEvent rules use them, and so can anything else that takes a name from outside (a namespace is a label).
/// </summary>
public static partial class Names
{
    /// <summary>The longest label (and label value).</summary>
    public const int LabelMaxLength = 63;

    /// <summary>The longest subdomain (object name).</summary>
    public const int SubdomainMaxLength = 253;

    /// <summary>What the apiserver appends to a <c>generateName</c>.</summary>
    public const int GeneratedSuffixLength = 5;

    internal const string LabelSyntaxMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    internal const string SubdomainSyntaxMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    /// <summary>True when <paramref name="value"/> is a DNS-1123 label (e.g. a namespace, a label value): at most 63 characters, no dots.</summary>
    public static bool IsDns1123Label(string? value) =>
        value is { Length: > 0 and <= LabelMaxLength } && HasLabelSyntax(value);

    /// <summary>True when <paramref name="value"/> is a DNS-1123 subdomain (most object names): at most 253 characters, dots allowed.</summary>
    public static bool IsDns1123Subdomain(string? value) =>
        value is { Length: > 0 and <= SubdomainMaxLength } && HasSubdomainSyntax(value);

    /// <summary>The reasons <paramref name="value"/> is not a DNS-1123 label, in apimachinery's words (empty when it is one).</summary>
    public static IReadOnlyList<string> CheckLabel(string value) =>
        Check(value, LabelMaxLength, HasLabelSyntax(value), LabelSyntaxMessage);

    /// <summary>The reasons <paramref name="value"/> is not a DNS-1123 subdomain, in apimachinery's words (empty when it is one).</summary>
    public static IReadOnlyList<string> CheckSubdomain(string value) =>
        Check(value, SubdomainMaxLength, HasSubdomainSyntax(value), SubdomainSyntaxMessage);

    internal static bool HasLabelSyntax(string value) => Label().IsMatch(value);

    internal static bool HasSubdomainSyntax(string value) => Subdomain().IsMatch(value);

    internal static string NoMoreThan(int max) => string.Create(CultureInfo.InvariantCulture, $"must be no more than {max} characters");

    private static string[] Check(string value, int maxLength, bool syntaxOk, string syntaxMessage) =>
        (value.Length > maxLength, syntaxOk) switch
        {
            (false, true) => [],
            (false, false) => [syntaxMessage],
            (true, true) => [NoMoreThan(maxLength)],
            (true, false) => [NoMoreThan(maxLength), syntaxMessage],
        };

    // \z, not $: in .NET $ also matches before a final "\n", so "name\n" would pass (Go's $ does not).
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Label();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Subdomain();
}
