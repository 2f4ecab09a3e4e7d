using Cronos;

namespace Arkonis.Model.Schedules;

// TEMPORARY stand-in (triggers branch) for the model engineer's CronSchedule; replaced when `model` lands on main.
/// <summary>A parsed cron schedule in a time zone.</summary>
public sealed class CronSchedule
{
    private readonly CronExpression _expression;
    private readonly TimeZoneInfo _zone;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone)
    {
        _expression = expression;
        _zone = zone;
    }

    /// <summary>Parses a 5-field expression in an IANA zone (default UTC).</summary>
    public static bool TryParse(string expression, string? timeZone, out CronSchedule? schedule, out string? error)
    {
        schedule = null;
        error = null;
        TimeZoneInfo zone;
        try
        {
            zone = string.IsNullOrEmpty(timeZone) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        }
        catch (TimeZoneNotFoundException)
        {
            error = $"unknown time zone {timeZone}";
            return false;
        }
        if (!CronExpression.TryParse(expression, CronFormat.Standard, out var parsed))
        {
            error = "invalid cron expression";
            return false;
        }
        schedule = new CronSchedule(parsed, zone);
        return true;
    }

    /// <summary>The next occurrence strictly after the given time, in UTC.</summary>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset afterExclusive) =>
        _expression.GetNextOccurrence(afterExclusive, _zone)?.ToUniversalTime();

    /// <summary>Occurrences in (from, to], in UTC.</summary>
    public IEnumerable<DateTimeOffset> GetOccurrences(DateTimeOffset fromExclusive, DateTimeOffset toInclusive) =>
        _expression.GetOccurrences(fromExclusive, toInclusive, _zone, fromInclusive: false, toInclusive: true).Select(o => o.ToUniversalTime());
}
