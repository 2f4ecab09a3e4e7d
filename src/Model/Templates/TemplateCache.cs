using System.Collections.Concurrent;

namespace Arkonis.Model.Templates;

/// <summary>
/// Parsed templates by text, so the fire path parses each template once. Bounded: when full it starts over, which
/// costs a re-parse, never a wrong answer.
/// </summary>
public static class TemplateCache
{
    private const int Capacity = 10_000;
    private static readonly ConcurrentDictionary<string, Template> Parsed = new(StringComparer.Ordinal);

    /// <summary>The parsed template, or null (with the reason) when the text does not parse.</summary>
    public static Template? Get(string text, out string? error)
    {
        if (Parsed.TryGetValue(text, out var hit))
        {
            error = null;
            return hit;
        }

        if (!Template.TryParse(text, out var template, out error))
        {
            return null;
        }

        if (Parsed.Count >= Capacity)
        {
            Parsed.Clear();
        }

        Parsed.TryAdd(text, template);
        return template;
    }
}
