using System.Diagnostics;
using Arkonis.Model.Schedules;
using Arkonis.Tests.Shared;
using CsCheck;

namespace Arkonis.Model.Tests.Properties;

/// <summary>
/// The cron parser and schedule under hostile input: never an exception, never a hang, and a schedule that parses
/// always answers with a later instant (or none). Thousands of cases, each bounded.
/// </summary>
public sealed class CronParserProperties
{
    private const long Cases = 5_000;

    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(1);

    private static readonly Gen<string> Field = Gen.Frequency(
        (4, Gen.Int[-2, 70].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (2, Gen.OneOf("*", "?", "L", "W", "LW", "5L", "15W", "MON", "sun", "JAN", "dec", "FRI#3", "1#5", "0-59", "59-0", "*/0", "*/1", "*/61", "1-5/2", "1,2,3", ",", "-", "/", "", "H", "H/5", "H(0-29)")),
        (1, HostileInput.Text(4, "*", "/", "-", ",", "1", "60")));

    /// <summary>Five fields each inside (or just outside) its range: the parser's success path and its edges.</summary>
    private static readonly Gen<string> Plausible = Gen.Select(Within(0, 59), Within(0, 23), Within(1, 31), Within(1, 12), Within(0, 7))
        .Select((m, h, dom, mon, dow) => $"{m} {h} {dom} {mon} {dow}");

    /// <summary>Five-ish fields (sometimes 4 or 6), macros, prefixes and noise.</summary>
    private static readonly Gen<string> Expression = Gen.Frequency(
        (6, Plausible),
        (4, Field.Array[4, 7].Select(fields => string.Join(' ', fields))),
        (1, Gen.OneOf("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@every 5m", "@reboot", "CRON_TZ=UTC 0 8 * * *", "TZ=Europe/Berlin 0 8 * * *", "0 0 30 2 *", "0 0 31 4 *", "0 0 29 2 *", "0 0 29 2 1")),
        (2, HostileInput.Text(16, "*", "0", "59", "*/5", "1-5", " ", "MON-FRI", "@daily", "L", "#", "?")));

    /// <summary>
    /// Valid zones, among them ones whose clocks jump at local midnight (America/Asuncion, Asia/Kathmandu, America/Havana,
    /// America/Sao_Paulo, Asia/Tehran) or by half an hour, invalid ones, and noise.
    /// </summary>
    private static readonly Gen<string?> Zone = Gen.Frequency(
        (4, Gen.OneOf<string?>(null, "", "UTC", "Europe/Amsterdam", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "America/Santiago", "Etc/GMT+14", "Etc/GMT-12")),
        (3, Gen.OneOf<string?>("America/Asuncion", "Asia/Kathmandu", "America/Havana", "America/Sao_Paulo", "Asia/Tehran", "Asia/Beirut", "America/Godthab", "Africa/Casablanca", "Pacific/Apia")),
        (1, Gen.OneOf<string?>("Mars/Olympus", "../../etc/passwd", "utc", "Local", "GMT+1", "Europe/Amsterdm", "\0")),
        (1, HostileInput.Text(4, "Europe/", "America/", "Etc/GMT", "+", "-")));

    private static Gen<string> Within(int low, int high)
    {
        var value = Gen.Int[low, high + 1];
        return Gen.Frequency(
            (4, Gen.Const("*")),
            (3, value.Select(v => $"{v}")),
            (2, Gen.Select(value, value).Select((a, b) => $"{Math.Min(a, b)}-{Math.Max(a, b)}")),
            (2, Gen.Int[1, high + 2].Select(step => $"*/{step}")),
            (1, value.Array[1, 4].Select(values => string.Join(',', values))));
    }

    private static readonly Gen<DateTimeOffset> Instant =
        Gen.Long[new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero).Ticks, new DateTimeOffset(2200, 1, 1, 0, 0, 0, TimeSpan.Zero).Ticks]
            .Select(t => new DateTimeOffset(t, TimeSpan.Zero));

    /// <summary>
    /// Cronos 0.13 reads <c>H</c> (a hashed value) and, without a seed, throws <c>MissingSeedException</c>; the parser refuses
    /// an H field before Cronos sees it (as Kubernetes CronJobs do), so the other properties generate H too.
    /// </summary>
    private static bool HasHash(string expression) => expression.Contains('H', StringComparison.Ordinal);

    [Fact]
    public void A_hashed_field_is_refused_not_thrown()
    {
        Gen.Select(Expression, Gen.OneOf("H", "H/5", "H(0-29)", "h")).Select((e, h) => h + " " + e.Split(' ', 2).Last()).Sample(expression =>
        {
            Assert.False(CronSchedule.TryParse(expression, "UTC", out _, out var error) && HasHash(expression), expression);
            _ = error;
        }, iter: 200);
    }

    [Theory]
    [InlineData("* * * * *", "America/Asuncion", "2020-10-04T03:59:00Z")]
    [InlineData("*/7 * * * *", "America/Asuncion", "2020-10-04T03:56:00Z")]
    [InlineData("0 0 * * *", "America/Asuncion", "2020-10-04T03:00:00Z")]
    [InlineData("30 0 * * *", "America/Asuncion", "2020-10-04T03:30:00Z")]
    [InlineData("* * */31 */7 3", "Asia/Kathmandu", "1985-12-31T18:15:00Z")]
    public void Schedules_move_forward_across_a_midnight_gap(string expression, string zone, string after)
    {
        Assert.True(CronSchedule.TryParse(expression, zone, out var schedule, out var error), error);
        var from = DateTimeOffset.Parse(after, System.Globalization.CultureInfo.InvariantCulture);

        var next = schedule.GetNextOccurrence(from);

        Assert.True(next is null || next > from, $"{expression} in {zone}: {next:o} is not after {from:o}");
    }

    [Fact]
    public void Parsing_never_throws_and_a_parsed_schedule_moves_forward()
    {
        var parsed = 0;
        Gen.Select(Expression, Zone, Instant).Sample((expression, zone, after) =>
        {
            var clock = Stopwatch.StartNew();
            if (CronSchedule.TryParse(expression, zone, out var schedule, out var error))
            {
                Assert.Null(error);
                Interlocked.Increment(ref parsed);
                var next = schedule.GetNextOccurrence(after);
                Assert.True(next is null || next > after, $"{expression} in {zone}: {next} is not after {after}");
                if (next is { } first)
                {
                    Assert.True(schedule.GetNextOccurrence(first) is not { } second || second > first);
                }
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(error));
            }

            Assert.True(clock.Elapsed < PerCase, $"{expression} in {zone} took {clock.Elapsed}");
        }, iter: Cases);

        // The generator must reach the parser's success path often, or the property says little.
        Assert.InRange(parsed, Cases / 20, Cases);
    }

    [Fact]
    public void Occurrences_in_a_window_are_ordered_and_inside_it()
    {
        Gen.Select(Expression, Zone, Instant, Gen.Int[1, 72 * 60]).Sample((expression, zone, from, minutes) =>
        {
            if (!CronSchedule.TryParse(expression, zone, out var schedule, out _))
            {
                return;
            }

            var to = from.AddMinutes(minutes);
            var occurrences = schedule.GetOccurrences(from, to).Take(10_000).ToList();
            Assert.All(occurrences, o => Assert.True(o > from && o <= to));
            Assert.Equal(occurrences.Order().Distinct(), occurrences);
            var latest = schedule.GetLatestOccurrence(from, to);
            Assert.Equal(occurrences.Count == 0 ? null : occurrences[^1], latest);
        }, iter: Cases / 5);
    }
}
