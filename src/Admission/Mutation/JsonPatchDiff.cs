using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Arkonis.Admission.Mutation;

/// <summary>One RFC 6902 operation (only add, remove and replace are produced).</summary>
public sealed record PatchOperation(string Op, string Path, JsonNode? Value)
{
    public bool HasValue => Op != "remove";
}

/// <summary>
/// Turns "before" and "after" JSON documents into an RFC 6902 patch that kube-apiserver's applier
/// (evanphx/json-patch) accepts: a member missing in "before" is added whole (never an <c>add</c>
/// under a parent that does not exist), arrays of equal length are diffed per element, other arrays
/// grow or shrink at the end, and path segments are escaped as JSON pointers (~0, ~1).
/// </summary>
public static class JsonPatchDiff
{
    public static IReadOnlyList<PatchOperation> Diff(JsonNode? before, JsonNode? after)
    {
        var ops = new List<PatchOperation>();
        DiffInto(before, after, string.Empty, ops);
        return ops;
    }

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
            writer.WriteStartArray();
            foreach (var op in ops)
            {
                writer.WriteStartObject();
                writer.WriteString("op", op.Op);
                writer.WriteString("path", op.Path);
                if (op.HasValue)
                {
                    writer.WritePropertyName("value");
                    if (op.Value is null)
                    {
                        writer.WriteNullValue();
                    }
                    else
                    {
                        op.Value.WriteTo(writer);
                    }
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return buffer.ToArray();
    }

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
            DiffInto(before[i], after[i], Child(path, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), ops);
        }

        for (var i = common; i < after.Count; i++)
        {
            ops.Add(new PatchOperation("add", Child(path, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), after[i]?.DeepClone()));
        }

        // Remove from the end so earlier indices stay valid while the patch is applied in order.
        for (var i = before.Count - 1; i >= common; i--)
        {
            ops.Add(new PatchOperation("remove", Child(path, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), null));
        }
    }

    private static string Child(string path, string segment) =>
        new StringBuilder(path.Length + segment.Length + 1).Append(path).Append('/').Append(EscapeSegment(segment)).ToString();
}
