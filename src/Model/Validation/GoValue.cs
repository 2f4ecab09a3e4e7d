using System.Globalization;
using System.Text;

namespace Arkonis.Model.Validation;

/// <summary>Formats a bad value the way Go's <c>field.Error</c> prints it: strings <c>%q</c>-quoted, numbers and booleans bare.</summary>
internal static class GoValue
{
    public static string Format(object? value) => value switch
    {
        null => "null",
        string s => Quote(s),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Quote(value.ToString() ?? string.Empty),
    };

    /// <summary>Go's <c>strconv.Quote</c> for the characters a manifest can hold.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (Rune.IsControl(rune))
                    {
                        sb.Append(rune.Value < 0x80 ? $"\\x{rune.Value:x2}" : $"\\u{rune.Value:x4}");
                    }
                    else
                    {
                        sb.Append(rune.ToString());
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
