using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Arkonis.Model.Templates;

/// <summary>
/// A parsed input template: text with <c>{{ .trigger.x }}</c> actions, a small subset of Go templates (variables only;
/// <c>{{-</c> and <c>-}}</c> trim the adjacent whitespace as in Go). Rendering never fails: a missing value is an empty
/// string, a JSON string is written raw, any other JSON value as its JSON text.
/// </summary>
public sealed class Template
{
    private readonly IReadOnlyList<object> _parts; // string (literal text) or TemplateVariable

    private Template(string text, IReadOnlyList<object> parts)
    {
        Text = text;
        _parts = parts;
        Variables = parts.OfType<TemplateVariable>().ToArray();
    }

    /// <summary>The template as written.</summary>
    public string Text { get; }

    /// <summary>The variables the template reads, in order.</summary>
    public IReadOnlyList<TemplateVariable> Variables { get; }

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what and where.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out Template? template, [NotNullWhen(false)] out string? error)
    {
        template = null;
        var parts = new List<object>();
        var literal = new StringBuilder();
        var pos = 0;
        while (pos < text.Length)
        {
            var open = text.IndexOf("{{", pos, StringComparison.Ordinal);
            if (open < 0)
            {
                literal.Append(text, pos, text.Length - pos);
                break;
            }

            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"unclosed action: \"{{{{\" at offset {open} has no matching \"}}}}\"";
                return false;
            }

            literal.Append(text, pos, open - pos);
            var inner = text[(open + 2)..close];
            // As in Go, a trim marker is "-" next to any of space, tab, CR or LF ("{{-\n" trims too).
            var trimLeft = inner == "-" || (inner.Length > 1 && inner[0] == '-' && IsSpace(inner[1]));
            var trimRight = inner.Length > 1 && inner[^1] == '-' && IsSpace(inner[^2]);
            if (trimLeft)
            {
                TrimEnd(literal);
            }

            var expression = inner.AsSpan(trimLeft ? 1 : 0, inner.Length - (trimLeft ? 1 : 0) - (trimRight ? 1 : 0)).Trim().ToString();
            if (!TemplateVariables.TryParse(expression, out var variable, out error))
            {
                error = open == 0 ? error : $"{error} (action at offset {open})";
                return false;
            }

            Flush(literal, parts);
            parts.Add(variable);
            pos = close + 2;
            if (trimRight)
            {
                while (pos < text.Length && char.IsWhiteSpace(text[pos]))
                {
                    pos++;
                }
            }
        }

        Flush(literal, parts);
        template = new Template(text, parts);
        error = null;
        return true;
    }

    /// <summary>Renders the template; never throws for missing or odd values.</summary>
    public string Render(TemplateContext context)
    {
        if (_parts.Count == 1 && _parts[0] is string only)
        {
            return only;
        }

        var sb = new StringBuilder();
        foreach (var part in _parts)
        {
            if (part is string s)
            {
                sb.Append(s);
            }
            else
            {
                sb.Append(Resolve((TemplateVariable)part, context));
            }
        }

        return sb.ToString();
    }

    /// <summary>The text a variable renders to.</summary>
    internal static string Resolve(TemplateVariable variable, TemplateContext context) => variable.Field switch
    {
        TriggerField.Name => context.Name,
        TriggerField.Namespace => context.Namespace,
        TriggerField.FiredAt => context.FiredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        TriggerField.Body => JsonText.Of(JsonText.Walk(context.Body, variable.Path)),
        TriggerField.Output => JsonText.Of(JsonText.Walk(context.Output, variable.Path)),
        _ => string.Empty,
    };

    private static void Flush(StringBuilder literal, List<object> parts)
    {
        if (literal.Length > 0)
        {
            parts.Add(literal.ToString());
            literal.Clear();
        }
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static void TrimEnd(StringBuilder sb)
    {
        var end = sb.Length;
        while (end > 0 && char.IsWhiteSpace(sb[end - 1]))
        {
            end--;
        }

        sb.Length = end;
    }
}
