using System.Text.Json.Nodes;
using CsCheck;

namespace Arkonis.Tests.Shared;

/// <summary>
/// Generators of hostile input for the property tests: text built from the fragments a parser cares about mixed
/// with arbitrary characters, and JSON that is valid, deep, huge-numbered, truncated or not JSON at all. Linked
/// into each test project that fuzzes (tests/Shared, like src/Shared).
/// </summary>
internal static class HostileInput
{
    /// <summary>Characters that break naive parsers: controls, separators, quotes, non-ASCII digits and letters, surrogates.</summary>
    private static readonly Gen<string> OddCharacter = Gen.OneOf(
        "\0", "\t", "\n", "\r", " ", "\u00a0", "\u2028", "\ufeff", "\"", "'", "\\", "/", "%", "%00", "{", "}", "[", "]", ":", ",", ";",
        "٣", "𝟘", "é", "İ", "ß", "\ud800", "😀", "\u200b", "-", "+", ".", "e", "E", "0x", "..", "*", "?", "#", "&", "=", "<", ">");

    /// <summary>Text of up to <paramref name="maxParts"/> pieces: the given fragments, odd characters and random strings.</summary>
    public static Gen<string> Text(int maxParts, params string[] fragments) =>
        Gen.Frequency(
                (5, Gen.OneOf(fragments)),
                (2, OddCharacter),
                (1, Gen.String[0, 12]),
                (1, Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
                (1, Gen.Long.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            .Array[0, maxParts]
            .Select(parts => string.Concat(parts));

    /// <summary>A JSON value up to <paramref name="depth"/> levels deep, with odd numbers, keys and strings.</summary>
    public static Gen<JsonNode?> Json(int depth)
    {
        var scalar = Gen.Frequency(
            (1, Gen.Const<JsonNode?>(() => null)),
            (2, Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i))),
            (1, Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l))),
            (1, Gen.Double.Where(double.IsFinite).Select(d => (JsonNode?)JsonValue.Create(d))),
            (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
            (3, Text(6, "topic", "{{ .trigger.body }}", "a", "", "0").Select(s => (JsonNode?)JsonValue.Create(s))));
        if (depth <= 0)
        {
            return scalar;
        }

        var inner = Json(depth - 1);
        var key = Gen.Frequency((4, Gen.OneOf("topic", "a", "b", "items", "0", "", "fail", "_delayMs", "$type", "__proto__")), (1, Gen.String[0, 8]));
        var obj = Gen.Select(key, inner).Array[0, 5].Select(pairs =>
        {
            var o = new JsonObject();
            foreach (var (k, v) in pairs)
            {
                o[k] = v?.DeepClone();
            }

            return (JsonNode?)o;
        });
        var array = inner.Array[0, 5].Select(items => (JsonNode?)new JsonArray([.. items.Select(i => i?.DeepClone())]));
        return Gen.Frequency((3, scalar), (2, obj), (1, array));
    }

    /// <summary>Request-body text: JSON objects mostly, then other JSON, truncated JSON, JSON-ish garbage and nothing.</summary>
    public static Gen<string> JsonText(int depth) => Gen.Frequency(
        (5, Json(depth).Select(n => n is JsonObject ? n.ToJsonString() : new JsonObject { ["topic"] = n }.ToJsonString())),
        (2, Json(depth).Select(n => n?.ToJsonString() ?? "null")),
        (2, Gen.Select(Json(depth), Gen.Int[0, 64]).Select((n, cut) => { var s = n?.ToJsonString() ?? "null"; return s[..Math.Min(cut, s.Length)]; })),
        (2, Text(24, "{", "}", "[", "]", "\"", ":", ",", "null", "true", "1e999", "-0", "\\u0000", "\\ud800", "{\"a\":", "[[[[[[[[", "NaN", "Infinity")),
        (1, Gen.Const(string.Empty)),
        (1, Gen.Int[1, 70].Select(n => new string('[', n * 10) + new string(']', n * 10))));
}
