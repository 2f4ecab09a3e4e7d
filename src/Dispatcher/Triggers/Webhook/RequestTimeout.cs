using System.Globalization;

namespace Arkonis.Dispatcher.Triggers.Webhook;

/// <summary>
/// Parses the <c>timeout</c> of a sync fire: Go-style durations such as <c>120s</c>, <c>2m</c>, <c>1m30s</c>,
/// <c>500ms</c>, <c>1h</c>. Units appear at most once, largest first. Anything else is an error, never a default.
/// </summary>
public static class RequestTimeout
{
    private static readonly (string Unit, TimeSpan Size)[] Units =
    [
        ("h", TimeSpan.FromHours(1)),
        ("m", TimeSpan.FromMinutes(1)),
        ("s", TimeSpan.FromSeconds(1)),
        ("ms", TimeSpan.FromMilliseconds(1)),
    ];

    public static bool TryParse(string? text, out TimeSpan timeout)
    {
        timeout = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text) || text.Length > 32)
        {
            return false;
        }
        var span = text.AsSpan();
        var nextUnit = 0;
        var total = TimeSpan.Zero;
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && char.IsAsciiDigit(span[digits]))
            {
                digits++;
            }
            if (digits == 0 || digits > 9)
            {
                return false;
            }
            var number = long.Parse(span[..digits], NumberStyles.None, CultureInfo.InvariantCulture);
            span = span[digits..];
            var unitLength = 0;
            while (unitLength < span.Length && char.IsAsciiLetterLower(span[unitLength]))
            {
                unitLength++;
            }
            var unit = span[..unitLength].ToString();
            var index = Array.FindIndex(Units, nextUnit, u => u.Unit == unit);
            if (index < 0)
            {
                return false;
            }
            total += Units[index].Size * number;
            nextUnit = index + 1;
            span = span[unitLength..];
        }
        timeout = total;
        return total > TimeSpan.Zero;
    }
}
