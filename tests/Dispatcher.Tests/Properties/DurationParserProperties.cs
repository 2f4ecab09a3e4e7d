using System.Globalization;
using Arkonis.Dispatcher.Triggers.Webhook;
using Arkonis.Tests.Shared;
using CsCheck;

namespace Arkonis.Dispatcher.Tests.Properties;

/// <summary>
/// The sync-timeout parser (Go-style durations) under hostile text: it never throws, and what it accepts is exactly
/// what a small reference reading accepts (digits then a unit, units largest first, each once, a positive total).
/// </summary>
public sealed class DurationParserProperties
{
    private const long Cases = 20_000;

    /// <summary>Durations with small numbers, and hostile text whose digit runs may be of any length.</summary>
    private static readonly Gen<string> Mixed = Gen.Frequency(
        (3, Gen.Select(Gen.OneOf("h", "m", "s", "ms"), Gen.Long[0, 99_999]).Array[1, 4]
            .Select(parts => string.Concat(parts.Select(p => p.Item2.ToString(CultureInfo.InvariantCulture) + p.Item1)))),
        (2, HostileInput.Text(8, "1", "0", "60", "9999", "999999999", "h", "m", "s", "ms", "us", "µs", "ns", "d", ".", "-", "+", " ", "H", "Ms")));

    /// <summary>Up to the nine digits a number may have: 999999999h is past TimeSpan.MaxValue.</summary>
    private static readonly Gen<string> Huge =
        Gen.Select(Gen.OneOf("h", "m", "s", "ms"), Gen.Long[0, 999_999_999]).Array[1, 4]
            .Select(parts => string.Concat(parts.Select(p => p.Item2.ToString(CultureInfo.InvariantCulture) + p.Item1)));

    [Fact]
    public void It_never_throws_and_agrees_with_the_reference_reading()
    {
        Check(Mixed);
    }

    [Fact]
    public void Nine_digit_numbers_are_refused_not_thrown()
    {
        Check(Huge);
    }

    private static void Check(Gen<string> durations)
    {
        durations.Sample(text =>
        {
            var parsed = RequestTimeout.TryParse(text, out var timeout);
            var expected = Reference(text);
            Assert.Equal(expected is not null, parsed);
            if (parsed)
            {
                Assert.Equal(expected, timeout);
                Assert.True(timeout > TimeSpan.Zero);
            }
        }, iter: Cases);
    }

    /// <summary>The grammar of docs/trigger-api.md read in the plainest way, in decimal arithmetic so it cannot overflow.</summary>
    private static TimeSpan? Reference(string text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 32)
        {
            return null;
        }

        string[] units = ["h", "m", "s", "ms"];
        decimal[] millis = [3_600_000m, 60_000m, 1_000m, 1m];
        var next = 0;
        var total = 0m;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || i - start > 9)
            {
                return null;
            }

            var number = decimal.Parse(text[start..i], CultureInfo.InvariantCulture);
            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetterLower(text[i]))
            {
                i++;
            }

            var index = Array.IndexOf(units, text[unitStart..i], next);
            if (index < 0)
            {
                return null;
            }

            total += number * millis[index];
            next = index + 1;
        }

        // Exact in ticks: a double (TimeSpan.FromMilliseconds(double)) loses the last digits of totals above 2^53 ticks.
        var ticks = total * TimeSpan.TicksPerMillisecond;
        return total > 0 && ticks <= TimeSpan.MaxValue.Ticks ? TimeSpan.FromTicks((long)ticks) : null;
    }
}
