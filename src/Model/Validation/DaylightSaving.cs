using System.Collections.Concurrent;
using Arkonis.Model.Schedules;

namespace Arkonis.Model.Validation;

/// <summary>Finds whether a schedule has wall-clock times that a zone skips (spring forward) in the coming year.</summary>
internal static class DaylightSaving
{
    // The gaps of a zone in the coming year depend only on the zone and the day, not on the expression: admission
    // validates many events against few zones, so the weekly scan runs once per zone and day.
    private const int GapCacheCapacity = 1024;
    private static readonly ConcurrentDictionary<(string Zone, DateTime Day), Gap[]> GapsByZoneAndDay = new();

    private readonly record struct Gap(DateTime Start, DateTime End);

    /// <summary>The local date of the first skipped time the expression would hit within a year of <paramref name="now"/>, or null.</summary>
    public static DateOnly? FirstGapHit(CronRule expression, TimeZoneInfo zone, DateTimeOffset now)
    {
        if (!zone.SupportsDaylightSavingTime)
        {
            return null;
        }

        if (GapsByZoneAndDay.Count >= GapCacheCapacity)
        {
            GapsByZoneAndDay.Clear();
        }
        var gaps = GapsByZoneAndDay.GetOrAdd((zone.Id, now.UtcDateTime.Date), key => FindGaps(zone, key.Day));
        foreach (var gap in gaps)
        {
            // Wall-clock matching is field-by-field, so reading the skipped local times as UTC asks exactly
            // "does the expression name a time in [gap start, gap end)".
            var hit = expression.Next(gap.Start, TimeZoneInfo.Utc, inclusive: true);
            if (hit is { } h && h < gap.End && !FiresEveryHour(expression, gap.Start.Date))
            {
                return DateOnly.FromDateTime(gap.Start);
            }
        }

        return null;
    }

    // The skipped wall-clock intervals (as UTC-kinded local times) within 371 days of 'day'. Offsets change at most a
    // few times a year and never twice within a week: scan weekly, then bisect.
    private static Gap[] FindGaps(TimeZoneInfo zone, DateTime day)
    {
        var gaps = new List<Gap>(2);
        var end = day.AddDays(371);
        var previous = zone.GetUtcOffset(day);
        while (day < end)
        {
            var next = day.AddDays(7);
            var offset = zone.GetUtcOffset(next);
            if (offset > previous)
            {
                var transition = FindTransition(zone, day, next);
                var gapStart = DateTime.SpecifyKind(transition + previous, DateTimeKind.Utc);
                gaps.Add(new Gap(gapStart, gapStart + (offset - previous)));
            }

            previous = offset;
            day = next;
        }

        return [.. gaps];
    }

    // Hourly-or-finer schedules expect to lose the skipped hour; advice is for schedules aimed at a time of day.
    private static bool FiresEveryHour(CronRule expression, DateTime day)
    {
        for (var hour = day; hour < day.AddDays(1); hour = hour.AddHours(1))
        {
            if (expression.Next(hour, TimeZoneInfo.Utc, inclusive: true) is not { } next || next >= hour.AddHours(1))
            {
                return false;
            }
        }

        return true;
    }

    // The first UTC minute at which the offset differs from the one at 'from'.
    private static DateTime FindTransition(TimeZoneInfo zone, DateTime from, DateTime to)
    {
        var before = zone.GetUtcOffset(from);
        while (to - from > TimeSpan.FromMinutes(1))
        {
            var mid = from + TimeSpan.FromTicks((to - from).Ticks / 2);
            mid = new DateTime(mid.Ticks - (mid.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
            if (zone.GetUtcOffset(mid) == before)
            {
                from = mid;
            }
            else
            {
                to = mid;
            }
        }

        return to;
    }
}
