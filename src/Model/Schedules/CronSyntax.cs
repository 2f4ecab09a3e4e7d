namespace Arkonis.Model.Schedules;

/// <summary>The checks Cronos does not make, or words differently: field count, macros, zone prefixes.</summary>
internal static class CronSyntax
{
    /// <summary>The longest expression accepted; real ones are a few dozen characters.</summary>
    public const int MaxLength = 256;

    private static readonly HashSet<string> Macros = new(StringComparer.OrdinalIgnoreCase)
    {
        "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly",
    };

    private static readonly char[] Blanks = [' ', '\t'];

    /// <summary>Null when the expression has the right shape for Cronos' standard format, else why not.</summary>
    public static string? Check(string? expression)
    {
        var text = expression?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return "the expression is empty";
        }

        if (text.Length > MaxLength)
        {
            return $"the expression is longer than {MaxLength} characters";
        }

        if (text.StartsWith("CRON_TZ=", StringComparison.OrdinalIgnoreCase) || text.StartsWith("TZ=", StringComparison.OrdinalIgnoreCase))
        {
            return "a time zone prefix is not supported; set spec.source.timezone instead";
        }

        if (text[0] == '@')
        {
            if (text.StartsWith("@every", StringComparison.OrdinalIgnoreCase))
            {
                return "@every is not supported; use a 5-field expression such as \"*/5 * * * *\"";
            }

            return Macros.Contains(text)
                ? null
                : "unknown macro; supported are @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly";
        }

        var fields = text.Split(Blanks, StringSplitOptions.RemoveEmptyEntries);
        return fields.Length switch
        {
            5 when fields.Any(IsHashed) => "H (a hashed value) is not supported, as in Kubernetes CronJobs; use a number such as \"0 8 * * *\"",
            5 => null,
            6 => "expected exactly 5 fields (minute hour day-of-month month day-of-week), found 6: seconds are not supported; a time zone goes in spec.source.timezone",
            var count => $"expected exactly 5 fields (minute hour day-of-month month day-of-week), found {count}",
        };
    }

    // Cronos reads H (H, H/5, H(0-29)) as a value hashed from a seed, and without one throws MissingSeedException
    // rather than a format error. The only name with an H in it is THU; any other H is the hash.
    private static bool IsHashed(string field) =>
        field.Replace("THU", string.Empty, StringComparison.OrdinalIgnoreCase).Contains('H', StringComparison.OrdinalIgnoreCase);

    /// <summary>Drops Cronos' generic lead-in so the message says only what is wrong.</summary>
    public static string Reword(string cronosMessage)
    {
        const string LeadIn = "The given cron expression has an invalid format. ";
        var text = cronosMessage.StartsWith(LeadIn, StringComparison.Ordinal) ? cronosMessage[LeadIn.Length..] : cronosMessage;
        return text.TrimEnd('.');
    }
}
