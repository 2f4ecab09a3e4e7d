using System.Text.RegularExpressions;

namespace Arkonis.Model.Resources;

/// <summary>
/// The shapes of Kubernetes names (apimachinery <c>pkg/util/validation/validation.go</c>): a namespace is a DNS-1123
/// label (<c>ValidateNamespaceName</c>), an object name such as an ArkEvent's a DNS-1123 subdomain.
/// </summary>
public static partial class KubernetesNames
{
    /// <summary>The longest DNS-1123 label (a namespace, a label value).</summary>
    public const int LabelMaxLength = 63;

    /// <summary>The longest DNS-1123 subdomain (an object name).</summary>
    public const int SubdomainMaxLength = 253;

    /// <summary>True when <paramref name="value"/> is a DNS-1123 label: at most 63 of <c>[a-z0-9]([-a-z0-9]*[a-z0-9])?</c>.</summary>
    public static bool IsDns1123Label(string? value) =>
        value is { Length: > 0 and <= LabelMaxLength } && Label().IsMatch(value);

    /// <summary>True when <paramref name="value"/> is a DNS-1123 subdomain: at most 253, dot-separated labels.</summary>
    public static bool IsDns1123Subdomain(string? value) =>
        value is { Length: > 0 and <= SubdomainMaxLength } && Subdomain().IsMatch(value);

    // \z, not $: $ would also accept a trailing newline.
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Label();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Subdomain();
}
