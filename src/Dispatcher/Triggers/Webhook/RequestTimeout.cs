using System.Globalization;

namespace Arkonis.Dispatcher.Triggers.Webhook;

/// <summary>
/// Parses the <c>timeout</c> of a sync fire: Go-style durations such as <c>120s</c>, <c>2m</c>, <c>1m30s</c>,
/// <c>500ms</c>, <c>1h</c>. Units appear at most once, largest first. Anything else is an error, never a default,
/// and so is a total past <see cref="TimeSpan.MaxValue"/> (<c>999999999h</c>): the sum is kept in ticks and checked
/// before each step, so it never overflows.
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
        var totalTicks = 0L;
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
            // number * unit may not take the total past TimeSpan.MaxValue; checked by division, so nothing overflows.
            var unitTicks = Units[index].Size.Ticks;
            if (number > (TimeSpan.MaxValue.Ticks - totalTicks) / unitTicks)
            {
                return false;
            }
            totalTicks += number * unitTicks;
            nextUnit = index + 1;
            span = span[unitLength..];
        }
        timeout = TimeSpan.FromTicks(totalTicks);
        return totalTicks > 0;
    }
}
