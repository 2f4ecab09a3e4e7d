using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Cronos;

namespace Arkonis.Model.Schedules;

/// <summary>
/// A parsed 5-field cron schedule read in an IANA time zone (Cronos underneath). Occurrences are returned in UTC and
/// are correct across daylight-saving changes: a time skipped by spring-forward fires once right after the gap, and a
/// repeated hour fires once (interval schedules such as <c>*/15</c> keep their interval through it). Days match as in
/// Vixie cron and Kubernetes CronJobs: with both day fields restricted, either one matching is enough.
/// </summary>
public sealed class CronSchedule
{
    private static readonly DateTime NeverFiresProbe = new(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    // Schedules are immutable and events share expressions, so 100,000 events parse a handful of schedules.
    private const int CacheCapacity = 10_000;
    private static readonly ConcurrentDictionary<(string Expression, string? Zone), CronSchedule> Parsed = new();

    private readonly CronRule _rule;

    private CronSchedule(string expression, CronRule parsed, TimeZoneInfo zone)
    {
        Expression = expression;
        _rule = parsed;
        TimeZone = zone;
    }

    /// <summary>The expression as given.</summary>
    public string Expression { get; }

    /// <summary>The zone the expression is read in.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>
    /// Parses a standard 5-field expression or one of the macros <c>@yearly @annually @monthly @weekly @daily @midnight
    /// @hourly</c>, read in <paramref name="timeZone"/> (IANA; null or empty means UTC). Seconds fields, <c>@every</c>,
    /// <c>CRON_TZ=</c>/<c>TZ=</c> prefixes and expressions that can never fire (<c>0 0 30 2 *</c>) are refused.
    /// </summary>
    public static bool TryParse(
        string expression,
        string? timeZone,
        [NotNullWhen(true)] out CronSchedule? schedule,
        [NotNullWhen(false)] out string? error)
    {
        // Callers outside nullable code may still pass null.
        expression ??= string.Empty;
        if (Parsed.TryGetValue((expression, timeZone), out schedule))
        {
            error = null;
            return true;
        }

        schedule = null;
        if (!TryParseExpression(expression, out var parsed, out error))
        {
            return false;
        }

        if (!TimeZones.TryResolve(timeZone, out var zone, out var zoneError))
        {
            error = "time zone " + zoneError;
            return false;
        }

        schedule = new CronSchedule(expression, parsed, zone);
        if (Parsed.Count >= CacheCapacity)
        {
            Parsed.Clear();
        }

        Parsed.TryAdd((expression, timeZone), schedule);
        return true;
    }

    /// <summary>The first occurrence strictly after <paramref name="afterExclusive"/>, in UTC; null if none.</summary>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset afterExclusive)
    {
        var next = _rule.Next(afterExclusive.UtcDateTime, TimeZone, inclusive: false);
        return next is { } n ? new DateTimeOffset(n, TimeSpan.Zero) : null;
    }

    /// <summary>Every occurrence in (<paramref name="fromExclusive"/>, <paramref name="toInclusive"/>], in UTC, ascending.</summary>
    public IEnumerable<DateTimeOffset> GetOccurrences(DateTimeOffset fromExclusive, DateTimeOffset toInclusive)
    {
        if (toInclusive <= fromExclusive)
        {
            return [];
        }

        return _rule
            .Occurrences(fromExclusive.UtcDateTime, toInclusive.UtcDateTime, TimeZone)
            .Select(static o => new DateTimeOffset(o, TimeSpan.Zero));
    }

    /// <summary>The latest occurrence in (<paramref name="fromExclusive"/>, <paramref name="toInclusive"/>], in UTC; null if none.</summary>
    public DateTimeOffset? GetLatestOccurrence(DateTimeOffset fromExclusive, DateTimeOffset toInclusive)
    {
        if (toInclusive <= fromExclusive)
        {
            return null;
        }

        var previous = _rule.Previous(toInclusive.UtcDateTime, TimeZone, inclusive: true);
        return previous is { } p && p > fromExclusive.UtcDateTime ? new DateTimeOffset(p, TimeSpan.Zero) : null;
    }

    /// <summary>Checks the expression alone (no zone); the error explains what is wrong in a user's terms.</summary>
    internal static bool TryParseExpression(
        string? expression,
        [NotNullWhen(true)] out CronRule? parsed,
        [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        error = CronSyntax.Check(expression);
        if (error is not null)
        {
            return false;
        }

        // Cronos' TryParse drops the reason; the exception carries it.
        try
        {
            parsed = CronRule.Parse(expression!.Trim());
        }
        catch (CronFormatException ex)
        {
            error = CronSyntax.Reword(ex.Message);
            return false;
        }

        if (parsed.Next(NeverFiresProbe, TimeZoneInfo.Utc, inclusive: false) is null)
        {
            error = "the expression can never fire (no such date, e.g. February 30)";
            parsed = null;
            return false;
        }

        return true;
    }
}
