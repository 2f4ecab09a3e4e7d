using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Arkonis.Model.Schedules;

/// <summary>Resolves IANA time zone names (never Windows ids), so a schedule means the same on every node.</summary>
public static partial class TimeZones
{
    /// <summary>The zone used when none is given.</summary>
    public const string DefaultId = "UTC";

    /// <summary>
    /// Resolves <paramref name="id"/> (null or empty means UTC) to a zone. Refuses Windows ids, different spellings of an
    /// IANA name (with a hint to the right one) and anything that is not a zone name.
    /// </summary>
    public static bool TryResolve(string? id, [NotNullWhen(true)] out TimeZoneInfo? zone, [NotNullWhen(false)] out string? error)
    {
        zone = null;
        if (string.IsNullOrEmpty(id))
        {
            zone = TimeZoneInfo.Utc;
            error = null;
            return true;
        }

        if (id.Length > 64 || !IanaShape().IsMatch(id))
        {
            error = NotIana(id);
            return false;
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found))
        {
            error = "unknown time zone; use an IANA name such as \"Europe/Berlin\"";
            return false;
        }

        if (!found.HasIanaId)
        {
            error = NotIana(id);
            return false;
        }

        if (!string.Equals(found.Id, id, StringComparison.Ordinal))
        {
            error = $"unknown time zone; did you mean \"{found.Id}\"?";
            return false;
        }

        zone = found;
        error = null;
        return true;
    }

    /// <summary>True for zones such as <c>Etc/GMT+5</c> that are a fixed offset and never observe daylight saving.</summary>
    public static bool IsFixedOffsetEtcZone(string id) =>
        id.StartsWith("Etc/GMT", StringComparison.Ordinal) && id.Length > "Etc/GMT".Length &&
        (id["Etc/GMT".Length] == '+' || id["Etc/GMT".Length] == '-');

    private static string NotIana(string id) =>
        TimeZoneInfo.TryConvertWindowsIdToIanaId(id, out var iana)
            ? $"a Windows time zone id; use the IANA name \"{iana}\""
            : "not an IANA time zone name such as \"Europe/Berlin\"";

    [GeneratedRegex("^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex IanaShape();
}
