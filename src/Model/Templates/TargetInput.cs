using System.Text.Json.Nodes;
using Arkonis.Model.Resources;

namespace Arkonis.Model.Templates;

/// <summary>Builds the input a target's flow run starts with.</summary>
public static class TargetInput
{
    /// <summary>
    /// With an <c>input</c> mapping: an object of strings, each template rendered (a template that does not parse, which
    /// admission refuses, renders as an empty string rather than failing the fire). Without one: a webhook's JSON object
    /// body as is; for flow-output the upstream output if it is an object, else <c>{"output": value}</c>; otherwise (cron)
    /// an empty object. The result is always a fresh object the caller may change.
    /// </summary>
    public static JsonObject Build(EventTarget target, TemplateContext context)
    {
        if (target.Input is { Count: > 0 } mapping)
        {
            var rendered = new JsonObject();
            foreach (var (key, text) in mapping)
            {
                rendered[key] = TemplateCache.Get(text ?? string.Empty, out _)?.Render(context) ?? string.Empty;
            }

            return rendered;
        }

        return context switch
        {
            { Body: JsonObject body } => (JsonObject)body.DeepClone(),
            { Body: { } other } => new JsonObject { ["body"] = other.DeepClone() },
            { Output: JsonObject output } => (JsonObject)output.DeepClone(),
            { Output: { } value } => new JsonObject { ["output"] = value.DeepClone() },
            _ => [],
        };
    }

    /// <summary>
    /// The same input as ArkFlow's <c>spec.input</c> wants it, a map of strings: strings raw, nulls empty, anything else
    /// as JSON text.
    /// </summary>
    public static IDictionary<string, string> ToStringMap(JsonObject input)
    {
        var map = new Dictionary<string, string>(input.Count, StringComparer.Ordinal);
        foreach (var (key, value) in input)
        {
            map[key] = JsonText.Of(value);
        }

        return map;
    }
}
