using Cronos;

namespace Arkonis.Model.Schedules;

/// <summary>
/// A cron expression with standard (Vixie cron, Kubernetes CronJob) day matching: when both day-of-month and
/// day-of-week are restricted, a day matches if EITHER does (<c>0 9 1 * 1</c> = the 1st and every Monday). Cronos alone
/// requires both, so such an expression is held as two Cronos expressions whose occurrences are merged.
/// </summary>
internal sealed class CronRule
{
    private readonly CronExpression _first;
    private readonly CronExpression? _second;

    // True when the minute or hour field has a '*' (also "*/15", and @hourly): such a schedule keeps its interval
    // through a repeated (fall-back) hour and fires in both passes; one aimed at a time of day fires in the first only.
    private readonly bool _interval;

    private CronRule(CronExpression first, CronExpression? second, bool interval)
    {
        _first = first;
        _second = second;
        _interval = interval;
    }

    /// <summary>Parses a checked expression; throws <see cref="CronFormatException"/> like Cronos.</summary>
    public static CronRule Parse(string expression)
    {
        var fields = expression.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var interval = fields.Length == 5
            ? fields[0].Contains('*', StringComparison.Ordinal) || fields[1].Contains('*', StringComparison.Ordinal)
            : string.Equals(expression.Trim(), "@hourly", StringComparison.OrdinalIgnoreCase);
        if (fields.Length == 5 && IsRestricted(fields[2]) && IsRestricted(fields[4]))
        {
            var byDayOfMonth = CronExpression.Parse($"{fields[0]} {fields[1]} {fields[2]} {fields[3]} *", CronFormat.Standard);
            var byDayOfWeek = CronExpression.Parse($"{fields[0]} {fields[1]} * {fields[3]} {fields[4]}", CronFormat.Standard);
            return new CronRule(byDayOfMonth, byDayOfWeek, interval);
        }

        return new CronRule(CronExpression.Parse(expression, CronFormat.Standard), null, interval);
    }

    // Cronos is asked only about wall-clock times (read in UTC, which has no transitions); the zone is applied here,
    // from TimeZoneInfo.GetUtcOffset of UTC instants alone. Cronos' own zone handling resolves a skipped time from the
    // adjustment rule's DaylightTransitionStart and the zone's *current* BaseUtcOffset, which is wrong for a zone whose
    // base offset has changed since (America/Asuncion, now -03 all year) or whose jump is a base-offset change rather
    // than daylight saving (Asia/Kathmandu 1986): at a gap at local midnight it returned an instant before the one asked
    // about, or the same one again.

    /// <summary>The next occurrence after (or at, when inclusive) a UTC instant, read in <paramref name="zone"/>.</summary>
    public DateTime? Next(DateTime fromUtc, TimeZoneInfo zone, bool inclusive)
    {
        if (IsUtc(zone))
        {
            return NextWall(fromUtc, inclusive);
        }

        // No instant after fromUtc reads earlier than this on the wall clock (the lowest offset around it: a fall-back
        // just ahead repeats wall-clock times that are earlier than fromUtc's).
        var wall = fromUtc + Min(Offset(zone, fromUtc), Offset(zone, fromUtc.AddDays(1)), Offset(zone, fromUtc.AddDays(2)));
        DateTime? best = null;
        var wallInclusive = true;
        while (NextWall(wall, wallInclusive) is { } w)
        {
            wallInclusive = false;
            wall = w;
            foreach (var instant in Instants(w, zone))
            {
                if ((inclusive ? instant >= fromUtc : instant > fromUtc) && (best is null || instant < best))
                {
                    best = instant;
                }
            }

            // Every later wall-clock time (a minute on at least) maps to an instant no earlier than wall - highest offset.
            if (best is { } b && w.AddMinutes(1) - Max(Offset(zone, fromUtc), Offset(zone, Later(fromUtc, b.AddDays(-1))), Offset(zone, b)) >= b)
            {
                break;
            }
        }

        return best;
    }

    /// <summary>The latest occurrence before (or at, when inclusive) a UTC instant.</summary>
    public DateTime? Previous(DateTime fromUtc, TimeZoneInfo zone, bool inclusive)
    {
        if (IsUtc(zone))
        {
            return Latest(_first.GetPreviousOccurrence(fromUtc, TimeZoneInfo.Utc, inclusive), _second?.GetPreviousOccurrence(fromUtc, TimeZoneInfo.Utc, inclusive));
        }

        // No instant before fromUtc reads later than this on the wall clock.
        var wall = fromUtc + Max(Offset(zone, fromUtc), Offset(zone, fromUtc.AddDays(-1)), Offset(zone, fromUtc.AddDays(-2)));
        DateTime? best = null;
        var wallInclusive = true;
        while (PreviousWall(wall, wallInclusive) is { } w)
        {
            wallInclusive = false;
            wall = w;
            foreach (var instant in Instants(w, zone))
            {
                if ((inclusive ? instant <= fromUtc : instant < fromUtc) && (best is null || instant > best))
                {
                    best = instant;
                }
            }

            // Every earlier wall-clock time maps to an instant no later than wall - lowest offset.
            if (best is { } b && w.AddMinutes(-1) - Min(Offset(zone, fromUtc), Offset(zone, Earlier(fromUtc, b.AddDays(1))), Offset(zone, b)) <= b)
            {
                break;
            }
        }

        return best;
    }

    /// <summary>Occurrences in (from, to], ascending, without duplicates.</summary>
    public IEnumerable<DateTime> Occurrences(DateTime fromUtc, DateTime toUtc, TimeZoneInfo zone)
    {
        if (IsUtc(zone))
        {
            var a = _first.GetOccurrences(fromUtc, toUtc, TimeZoneInfo.Utc, fromInclusive: false, toInclusive: true);
            return _second is null ? a : Merge(a, _second.GetOccurrences(fromUtc, toUtc, TimeZoneInfo.Utc, fromInclusive: false, toInclusive: true));
        }

        return Walk(fromUtc, toUtc, zone);
    }

    private IEnumerable<DateTime> Walk(DateTime fromUtc, DateTime toUtc, TimeZoneInfo zone)
    {
        for (var next = Next(fromUtc, zone, inclusive: false); next is { } n && n <= toUtc; next = Next(n, zone, inclusive: false))
        {
            yield return n;
        }
    }

    /// <summary>
    /// The instants a wall-clock time (UTC-kinded) stands for in <paramref name="zone"/>, ascending: one for an ordinary
    /// time; for a time skipped by a jump forward, the first instant after the jump; for a repeated time, its first
    /// pass, and its second too for an interval schedule.
    /// </summary>
    private IEnumerable<DateTime> Instants(DateTime wall, TimeZoneInfo zone)
    {
        // The offsets in force around the wall-clock time; a candidate is real when the offset at it is the one assumed.
        var before = Offset(zone, wall.AddDays(-1));
        var after = Offset(zone, wall.AddDays(1));
        var early = Min(before, after);
        var late = Max(before, after);
        var first = wall - late;
        var second = wall - early;
        var firstIsReal = Offset(zone, first) == late;
        var secondIsReal = Offset(zone, second) == early;
        if (firstIsReal && secondIsReal && first != second)
        {
            yield return first;
            if (_interval)
            {
                yield return second;
            }
        }
        else if (firstIsReal)
        {
            yield return first;
        }
        else if (secondIsReal)
        {
            yield return second;
        }
        else
        {
            // A skipped time: before the jump the clock had not reached it, after it the clock is past it.
            yield return JumpAfter(zone, first, second, before);
        }
    }

    // The first instant in (low, high] whose offset is no longer 'before' (bisected to the tick).
    private static DateTime JumpAfter(TimeZoneInfo zone, DateTime low, DateTime high, TimeSpan before)
    {
        while (high.Ticks - low.Ticks > 1)
        {
            var middle = new DateTime(low.Ticks + ((high.Ticks - low.Ticks) / 2), DateTimeKind.Utc);
            if (Offset(zone, middle) == before)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return high;
    }

    private DateTime? NextWall(DateTime wall, bool inclusive) =>
        Earliest(_first.GetNextOccurrence(wall, TimeZoneInfo.Utc, inclusive), _second?.GetNextOccurrence(wall, TimeZoneInfo.Utc, inclusive));

    private DateTime? PreviousWall(DateTime wall, bool inclusive) =>
        Latest(_first.GetPreviousOccurrence(wall, TimeZoneInfo.Utc, inclusive), _second?.GetPreviousOccurrence(wall, TimeZoneInfo.Utc, inclusive));

    private static bool IsUtc(TimeZoneInfo zone) => ReferenceEquals(zone, TimeZoneInfo.Utc) || zone.Id == "UTC";

    private static TimeSpan Offset(TimeZoneInfo zone, DateTime utc) => zone.GetUtcOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b, TimeSpan c) => Min(Min(a, b), c);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b, TimeSpan c) => Max(Max(a, b), c);

    private static DateTime Later(DateTime a, DateTime b) => a > b ? a : b;

    private static DateTime Earlier(DateTime a, DateTime b) => a < b ? a : b;

    // Vixie cron treats a field starting with '*' (or '?') as unrestricted for this rule, even "*/2".
    private static bool IsRestricted(string field) => field[0] is not ('*' or '?');

    private static DateTime? Earliest(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static DateTime? Latest(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static IEnumerable<DateTime> Merge(IEnumerable<DateTime> left, IEnumerable<DateTime> right)
    {
        using var l = left.GetEnumerator();
        using var r = right.GetEnumerator();
        var hasL = l.MoveNext();
        var hasR = r.MoveNext();
        while (hasL || hasR)
        {
            if (hasL && (!hasR || l.Current <= r.Current))
            {
                var value = l.Current;
                yield return value;
                hasL = l.MoveNext();
                if (hasR && r.Current == value)
                {
                    hasR = r.MoveNext();
                }
            }
            else
            {
                yield return r.Current;
                hasR = r.MoveNext();
            }
        }
    }
}
