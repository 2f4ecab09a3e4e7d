using System.Text.RegularExpressions;

namespace Arkonis.Model.Validation;

/// <summary>Kubernetes name rules (apimachinery <c>IsDNS1123Label</c> / <c>IsDNS1123Subdomain</c>), with its messages.</summary>
public static partial class Names
{
    /// <summary>The longest label (and label value).</summary>
    public const int LabelMaxLength = 63;

    /// <summary>The longest subdomain (object name).</summary>
    public const int SubdomainMaxLength = 253;

    /// <summary>What the apiserver appends to a <c>generateName</c>.</summary>
    public const int GeneratedSuffixLength = 5;

    private const string LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    /// <summary>The reasons <paramref name="value"/> is not a DNS-1123 label (empty when it is one).</summary>
    public static IReadOnlyList<string> CheckLabel(string value)
    {
        var errors = new List<string>(2);
        if (value.Length > LabelMaxLength)
        {
            errors.Add($"must be no more than {LabelMaxLength} characters");
        }

        if (!Label().IsMatch(value))
        {
            errors.Add(LabelMessage);
        }

        return errors;
    }

    /// <summary>The reasons <paramref name="value"/> is not a DNS-1123 subdomain (empty when it is one).</summary>
    public static IReadOnlyList<string> CheckSubdomain(string value)
    {
        var errors = new List<string>(2);
        if (value.Length > SubdomainMaxLength)
        {
            errors.Add($"must be no more than {SubdomainMaxLength} characters");
        }

        if (!Subdomain().IsMatch(value))
        {
            errors.Add(SubdomainMessage);
        }

        return errors;
    }

    /// <summary>True when <paramref name="value"/> is a DNS-1123 label.</summary>
    public static bool IsLabel(string? value) => value is not null && CheckLabel(value).Count == 0;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Label();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Subdomain();
}
