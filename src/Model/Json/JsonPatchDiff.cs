using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Arkonis.Model.Json;

/// <summary>One RFC 6902 operation (only add, remove and replace are produced).</summary>
/// <param name="Op">The operation: <c>add</c>, <c>remove</c> or <c>replace</c>.</param>
/// <param name="Path">The target as an RFC 6901 JSON pointer.</param>
/// <param name="Value">The value to add or replace with; unused for <c>remove</c>.</param>
public sealed record PatchOperation(string Op, string Path, JsonNode? Value)
{
    /// <summary>True when the operation carries a <c>value</c> member (everything but <c>remove</c>).</summary>
    public bool HasValue => Op != "remove";

    /// <summary>The operation as the JSON object written in a patch.</summary>
    public JsonObject ToJsonObject()
    {
        var operation = new JsonObject { ["op"] = Op, ["path"] = Path };
        if (HasValue)
        {
            operation["value"] = Value?.DeepClone();
        }
        return operation;
    }
}

/// <summary>
/// Turns "before" and "after" JSON documents into an RFC 6902 patch that kube-apiserver's applier
/// (evanphx/json-patch) accepts: a member missing in "before" is added whole (never an <c>add</c>
/// under a parent that does not exist), arrays of equal length are diffed per element, other arrays
/// grow or shrink at the end, and path segments are escaped as JSON pointers (~0, ~1).
/// </summary>
public static class JsonPatchDiff
{
    /// <summary>The operations that turn <paramref name="before"/> into <paramref name="after"/>, in order.</summary>
    public static IReadOnlyList<PatchOperation> Diff(JsonNode? before, JsonNode? after)
    {
        var ops = new List<PatchOperation>();
        DiffInto(before, after, string.Empty, ops);
        return ops;
    }

    /// <summary>One JSON pointer reference token, escaped per RFC 6901 (<c>~</c> as <c>~0</c>, <c>/</c> as <c>~1</c>).</summary>
    public static string EscapeSegment(string segment) =>
        segment.Contains('~') || segment.Contains('/')
            ? segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)
            : segment;

    /// <summary>The patch as the compact JSON array the apiserver decodes (no <c>from</c>, no <c>value</c> on remove).</summary>
    public static byte[] Serialize(IReadOnlyList<PatchOperation> ops)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ToJsonArray(ops).WriteTo(writer);
        }
        return buffer.ToArray();
    }

    /// <summary>The patch as a JSON array, for callers that add operations of their own (a leading <c>test</c>).</summary>
    public static JsonArray ToJsonArray(IEnumerable<PatchOperation> ops) => [.. ops.Select(op => (JsonNode)op.ToJsonObject())];

    private static void DiffInto(JsonNode? before, JsonNode? after, string path, List<PatchOperation> ops)
    {
        if (before is JsonObject beforeObject && after is JsonObject afterObject)
        {
            DiffObjects(beforeObject, afterObject, path, ops);
        }
        else if (before is JsonArray beforeArray && after is JsonArray afterArray)
        {
            DiffArrays(beforeArray, afterArray, path, ops);
        }
        else if (!JsonNode.DeepEquals(before, after))
        {
            ops.Add(new PatchOperation("replace", path, after?.DeepClone()));
        }
    }

    private static void DiffObjects(JsonObject before, JsonObject after, string path, List<PatchOperation> ops)
    {
        foreach (var (key, beforeValue) in before)
        {
            var childPath = Child(path, key);
            if (after.TryGetPropertyValue(key, out var afterValue))
            {
                DiffInto(beforeValue, afterValue, childPath, ops);
            }
            else
            {
                ops.Add(new PatchOperation("remove", childPath, null));
            }
        }

        foreach (var (key, afterValue) in after)
        {
            if (!before.ContainsKey(key))
            {
                ops.Add(new PatchOperation("add", Child(path, key), afterValue?.DeepClone()));
            }
        }
    }

    private static void DiffArrays(JsonArray before, JsonArray after, string path, List<PatchOperation> ops)
    {
        var common = Math.Min(before.Count, after.Count);
        for (var i = 0; i < common; i++)
        {
            DiffInto(before[i], after[i], Child(path, Index(i)), ops);
        }

        for (var i = common; i < after.Count; i++)
        {
            ops.Add(new PatchOperation("add", Child(path, Index(i)), after[i]?.DeepClone()));
        }

        // Remove from the end so earlier indices stay valid while the patch is applied in order.
        for (var i = before.Count - 1; i >= common; i--)
        {
            ops.Add(new PatchOperation("remove", Child(path, Index(i)), null));
        }
    }

    private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);

    private static string Child(string path, string segment) =>
        new StringBuilder(path.Length + segment.Length + 1).Append(path).Append('/').Append(EscapeSegment(segment)).ToString();
}
