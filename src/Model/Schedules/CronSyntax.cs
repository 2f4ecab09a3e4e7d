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

        var fields = text.Split(Blanks, StringSplitOptions.RemoveEmptyEntries).Length;
        return fields switch
        {
            5 => null,
            6 => "expected exactly 5 fields (minute hour day-of-month month day-of-week), found 6: seconds are not supported; a time zone goes in spec.source.timezone",
            _ => $"expected exactly 5 fields (minute hour day-of-month month day-of-week), found {fields}",
        };
    }

    /// <summary>Drops Cronos' generic lead-in so the message says only what is wrong.</summary>
    public static string Reword(string cronosMessage)
    {
        const string LeadIn = "The given cron expression has an invalid format. ";
        var text = cronosMessage.StartsWith(LeadIn, StringComparison.Ordinal) ? cronosMessage[LeadIn.Length..] : cronosMessage;
        return text.TrimEnd('.');
    }
}
