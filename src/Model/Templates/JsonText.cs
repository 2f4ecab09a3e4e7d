using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Arkonis.Model.Templates;

/// <summary>Walks and prints JSON the way templates and flow inputs (a map of strings) need it.</summary>
internal static class JsonText
{
    // Readable text for people and flows; escaping for HTML embedding is not needed in a flow input.
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Follows object keys and array indexes; null when any step is missing.</summary>
    public static JsonNode? Walk(JsonNode? node, IReadOnlyList<string> path)
    {
        foreach (var key in path)
        {
            node = node switch
            {
                JsonObject o => o.TryGetPropertyValue(key, out var child) ? child : null,
                JsonArray a when int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>A string raw, null as empty, anything else as compact JSON.</summary>
    public static string Of(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => string.Empty,
        _ => node.ToJsonString(Compact),
    };
}
