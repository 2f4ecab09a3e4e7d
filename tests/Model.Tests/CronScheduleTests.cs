using Arkonis.Model.Schedules;

namespace Arkonis.Model.Tests;

public sealed class CronScheduleTests
{
    private static CronSchedule Parse(string cron, string? zone = null)
    {
        Assert.True(CronSchedule.TryParse(cron, zone, out var schedule, out var error), error);
        return schedule;
    }

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Next_occurrence_is_strictly_after_and_in_utc()
    {
        var schedule = Parse("0 8 * * *");
        Assert.Equal(Utc("2026-03-02T08:00:00"), schedule.GetNextOccurrence(Utc("2026-03-01T08:00:00")));
        Assert.Equal(TimeSpan.Zero, schedule.GetNextOccurrence(Utc("2026-03-01T08:00:00"))!.Value.Offset);
    }

    [Fact]
    public void Every_minute_over_an_hour_gives_60_occurrences()
    {
        var from = Utc("2026-05-01T10:00:00");
        Assert.Equal(60, Parse("* * * * *").GetOccurrences(from, from.AddHours(1)).Count());
    }

    [Fact]
    public void Berlin_spring_forward_fires_a_skipped_time_once_after_the_gap()
    {
        // 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
        var occurrences = Parse("30 2 * * *", "Europe/Berlin").GetOccurrences(Utc("2026-03-28T00:00:00"), Utc("2026-03-31T00:00:00")).ToArray();
        Assert.Equal([Utc("2026-03-28T01:30:00"), Utc("2026-03-29T01:00:00"), Utc("2026-03-30T00:30:00")], occurrences);
    }

    [Fact]
    public void Berlin_fall_back_fires_a_repeated_time_once()
    {
        // 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice, fires once (the first).
        var occurrences = Parse("30 2 * * *", "Europe/Berlin").GetOccurrences(Utc("2026-10-24T00:00:00"), Utc("2026-10-27T00:00:00")).ToArray();
        Assert.Equal([Utc("2026-10-24T00:30:00"), Utc("2026-10-25T00:30:00"), Utc("2026-10-26T01:30:00")], occurrences);
    }

    [Fact]
    public void New_York_spring_forward_and_fall_back()
    {
        var schedule = Parse("30 2 * * *", "America/New_York");
        // 2026-03-08 02:00 EST -> 03:00 EDT: fires at 03:00 EDT = 07:00Z.
        Assert.Equal(Utc("2026-03-08T07:00:00"), schedule.GetNextOccurrence(Utc("2026-03-07T12:00:00")));
        // 2026-11-01 02:00 EDT -> 01:00 EST: 02:30 exists once (EST) = 07:30Z.
        Assert.Equal(Utc("2026-11-01T07:30:00"), schedule.GetNextOccurrence(Utc("2026-10-31T12:00:00")));
    }

    [Fact]
    public void Asuncion_midnight_spring_forward_fires_at_the_first_valid_instant_after_the_gap()
    {
        // 2020-10-04 00:00 -04 jumped to 01:00 -03 (04:00Z); Paraguay has been on -03 all year since 2024.
        var daily = Parse("0 0 * * *", "America/Asuncion");
        Assert.Equal(Utc("2020-10-04T04:00:00"), daily.GetNextOccurrence(Utc("2020-10-03T12:00:00")));
        Assert.Equal(Utc("2020-10-04T04:00:00"), daily.GetNextOccurrence(Utc("2020-10-04T03:00:00")));
        Assert.Equal(Utc("2020-10-05T03:00:00"), daily.GetNextOccurrence(Utc("2020-10-04T04:00:00")));
        var everyMinute = Parse("* * * * *", "America/Asuncion");
        Assert.Equal(Utc("2020-10-04T04:00:00"), everyMinute.GetNextOccurrence(Utc("2020-10-04T03:59:00")));
        Assert.Equal(Utc("2020-10-04T04:01:00"), everyMinute.GetNextOccurrence(Utc("2020-10-04T04:00:00")));
        Assert.Equal(Utc("2020-10-04T04:00:00"), daily.GetLatestOccurrence(Utc("2020-10-04T00:00:00"), Utc("2020-10-04T12:00:00")));
    }

    [Fact]
    public void Kathmandu_1986_base_offset_change_at_midnight_fires_after_the_gap()
    {
        // 1986-01-01 00:00 +05:30 became 00:15 +05:45 (1985-12-31T18:30Z): not daylight saving, a new base offset.
        var daily = Parse("0 0 * * *", "Asia/Kathmandu");
        Assert.Equal(Utc("1985-12-31T18:30:00"), daily.GetNextOccurrence(Utc("1985-12-31T12:00:00")));
        Assert.Equal(Utc("1986-01-01T18:15:00"), daily.GetNextOccurrence(Utc("1985-12-31T18:30:00")));
    }

    [Theory]
    [InlineData("America/Asuncion", "2020-10-03T12:00:00")]
    [InlineData("America/Asuncion", "2021-03-27T12:00:00")]
    [InlineData("Asia/Kathmandu", "1985-12-31T06:00:00")]
    [InlineData("Europe/Berlin", "2026-10-24T12:00:00")]
    [InlineData("Australia/Lord_Howe", "2026-04-04T06:00:00")]
    public void Walking_next_occurrences_across_a_change_always_moves_forward(string zone, string start)
    {
        foreach (var cron in new[] { "* * * * *", "*/7 * * * *", "0 0 * * *", "30 0 * * *", "15 1 * * *", "0 * * * *" })
        {
            var schedule = Parse(cron, zone);
            var at = Utc(start);
            var end = at.AddDays(1);
            while (schedule.GetNextOccurrence(at) is { } next && next <= end)
            {
                Assert.True(next > at, $"{cron} in {zone}: {next:o} after {at:o}");
                at = next;
            }
        }
    }

    [Fact]
    public void New_York_repeated_hour_keeps_interval_schedules()
    {
        // 01:00-01:59 happens twice on 2026-11-01; an every-30-minutes schedule fires in both.
        var occurrences = Parse("*/30 1 * * *", "America/New_York").GetOccurrences(Utc("2026-11-01T04:59:00"), Utc("2026-11-01T07:00:00")).ToArray();
        Assert.Equal([Utc("2026-11-01T05:00:00"), Utc("2026-11-01T05:30:00"), Utc("2026-11-01T06:00:00"), Utc("2026-11-01T06:30:00")], occurrences);
    }

    [Fact]
    public void Both_day_fields_restricted_match_either_as_in_vixie_cron()
    {
        // 2026-06: the 1st is a Monday; Mondays are 1, 8, 15, 22, 29; the 15th is also named by day-of-month.
        var occurrences = Parse("0 9 1,15 * 1").GetOccurrences(Utc("2026-06-01T00:00:00"), Utc("2026-06-30T23:59:00"))
            .Select(o => o.Day).ToArray();
        Assert.Equal([1, 8, 15, 22, 29], occurrences);
        Assert.Equal(Utc("2026-06-08T09:00:00"), Parse("0 9 1,15 * 1").GetNextOccurrence(Utc("2026-06-01T09:00:00")));
        Assert.Equal(Utc("2026-06-15T09:00:00"), Parse("0 9 1,15 * 1").GetLatestOccurrence(Utc("2026-06-14T00:00:00"), Utc("2026-06-20T00:00:00")));
    }

    [Fact]
    public void A_star_day_field_keeps_and_semantics()
    {
        // "*/2" in day-of-month is unrestricted for the OR rule (as in Vixie cron): odd days that are Mondays.
        var days = Parse("0 9 */2 * 1").GetOccurrences(Utc("2026-06-01T00:00:00"), Utc("2026-06-30T23:59:00")).Select(o => o.Day);
        Assert.Equal([1, 15, 29], days);
    }

    [Fact]
    public void February_30_on_mondays_fires_on_mondays()
    {
        Assert.Equal(Utc("2027-02-01T00:00:00"), Parse("0 0 30 2 1").GetNextOccurrence(Utc("2026-03-01T00:00:00")));
    }

    [Fact]
    public void Sunday_may_be_written_as_7()
    {
        Assert.Equal(Utc("2026-06-07T09:00:00"), Parse("0 9 * * 7").GetNextOccurrence(Utc("2026-06-01T00:00:00")));
    }

    [Theory]
    [InlineData("Europe/Berlin", 2026, 3, 29, 23 * 60)]
    [InlineData("Europe/Berlin", 2026, 10, 25, 25 * 60)]
    [InlineData("America/New_York", 2026, 3, 8, 23 * 60)]
    [InlineData("America/New_York", 2026, 11, 1, 25 * 60)]
    [InlineData("Europe/Berlin", 2026, 6, 1, 24 * 60)]
    public void Every_minute_over_a_local_day_with_a_change_follows_the_real_clock(string zone, int year, int month, int day, int expected)
    {
        var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
        var start = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified), tz));
        var end = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified).AddDays(1), tz));

        var occurrences = Parse("* * * * *", zone).GetOccurrences(start.AddMinutes(-1), end.AddMinutes(-1)).ToArray();

        Assert.Equal(expected, occurrences.Length);
        Assert.All(occurrences.Zip(occurrences.Skip(1)), pair => Assert.Equal(TimeSpan.FromMinutes(1), pair.Second - pair.First));
    }

    [Fact]
    public void Latest_occurrence_in_a_window()
    {
        var schedule = Parse("*/10 * * * *");
        Assert.Equal(Utc("2026-05-01T10:50:00"), schedule.GetLatestOccurrence(Utc("2026-05-01T10:00:00"), Utc("2026-05-01T10:55:00")));
        Assert.Null(schedule.GetLatestOccurrence(Utc("2026-05-01T10:51:00"), Utc("2026-05-01T10:55:00")));
    }

    [Theory]
    [InlineData("@yearly")]
    [InlineData("@annually")]
    [InlineData("@monthly")]
    [InlineData("@weekly")]
    [InlineData("@daily")]
    [InlineData("@midnight")]
    [InlineData("@hourly")]
    public void Accepts_the_macros(string macro) => Parse(macro);

    [Theory]
    [InlineData("* * * * * *", "found 6")]
    [InlineData("* * *", "found 3")]
    [InlineData("TZ=UTC 0 8 * * *", "spec.source.timezone")]
    [InlineData("@every_second", "not supported")]
    [InlineData("@sometimes", "unknown macro")]
    [InlineData("0 0 31 2 *", "never fire")]
    [InlineData("H 8 * * *", "H (a hashed value) is not supported")]
    [InlineData("0 H(0-5) * * THU", "H (a hashed value) is not supported")]
    [InlineData("", "empty")]
    public void Refuses_bad_expressions(string cron, string hint)
    {
        Assert.False(CronSchedule.TryParse(cron, null, out _, out var error));
        Assert.Contains(hint, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Equal_schedules_are_parsed_once()
    {
        Assert.Same(Parse("7 7 * * *", "Europe/Berlin"), Parse("7 7 * * *", "Europe/Berlin"));
        Assert.NotSame(Parse("7 7 * * *", "Europe/Berlin"), Parse("7 7 * * *", "America/New_York"));
    }

    [Fact]
    public void Refuses_an_unknown_zone()
    {
        Assert.False(CronSchedule.TryParse("0 8 * * *", "Europe/Atlantis", out _, out var error));
        Assert.StartsWith("time zone", error, StringComparison.Ordinal);
    }
}
