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

    private CronRule(CronExpression first, CronExpression? second)
    {
        _first = first;
        _second = second;
    }

    /// <summary>Parses a checked expression; throws <see cref="CronFormatException"/> like Cronos.</summary>
    public static CronRule Parse(string expression)
    {
        var fields = expression.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 5 && IsRestricted(fields[2]) && IsRestricted(fields[4]))
        {
            var byDayOfMonth = CronExpression.Parse($"{fields[0]} {fields[1]} {fields[2]} {fields[3]} *", CronFormat.Standard);
            var byDayOfWeek = CronExpression.Parse($"{fields[0]} {fields[1]} * {fields[3]} {fields[4]}", CronFormat.Standard);
            return new CronRule(byDayOfMonth, byDayOfWeek);
        }

        return new CronRule(CronExpression.Parse(expression, CronFormat.Standard), null);
    }

    /// <summary>The next occurrence after (or at, when inclusive) a UTC instant, read in <paramref name="zone"/>.</summary>
    public DateTime? Next(DateTime fromUtc, TimeZoneInfo zone, bool inclusive) =>
        Earliest(_first.GetNextOccurrence(fromUtc, zone, inclusive), _second?.GetNextOccurrence(fromUtc, zone, inclusive));

    /// <summary>The latest occurrence before (or at, when inclusive) a UTC instant.</summary>
    public DateTime? Previous(DateTime fromUtc, TimeZoneInfo zone, bool inclusive) =>
        Latest(_first.GetPreviousOccurrence(fromUtc, zone, inclusive), _second?.GetPreviousOccurrence(fromUtc, zone, inclusive));

    /// <summary>Occurrences in (from, to], ascending, without duplicates.</summary>
    public IEnumerable<DateTime> Occurrences(DateTime fromUtc, DateTime toUtc, TimeZoneInfo zone)
    {
        var a = _first.GetOccurrences(fromUtc, toUtc, zone, fromInclusive: false, toInclusive: true);
        return _second is null ? a : Merge(a, _second.GetOccurrences(fromUtc, toUtc, zone, fromInclusive: false, toInclusive: true));
    }

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
