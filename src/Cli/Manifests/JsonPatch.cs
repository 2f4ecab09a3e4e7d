using System.Globalization;
using System.Text.Json.Nodes;
using Arkonis.Model.Json;

namespace Arkonis.Cli.Manifests;

/// <summary>Applies the mutating webhook's JSON patch (add, replace, remove, as <see cref="JsonPatchDiff"/> writes them) the way the API server does.</summary>
internal static class JsonPatch
{
    public static JsonObject Apply(JsonObject document, IEnumerable<PatchOperation> operations)
    {
        var result = document.DeepClone().AsObject();
        foreach (var op in operations)
        {
            var segments = op.Path.Split('/').Skip(1).Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
            JsonNode parent = result;
            foreach (var segment in segments.SkipLast(1))
            {
                parent = parent is JsonArray a ? a[Index(segment)]! : parent[segment]!;
            }

            var last = segments[^1];
            switch (parent, op.Op)
            {
                case (JsonArray array, "add"):
                    array.Insert(last == "-" ? array.Count : Index(last), op.Value?.DeepClone());
                    break;
                case (JsonArray array, "replace"):
                    array[Index(last)] = op.Value?.DeepClone();
                    break;
                case (JsonArray array, "remove"):
                    array.RemoveAt(Index(last));
                    break;
                case (JsonObject obj, "add" or "replace"):
                    obj[last] = op.Value?.DeepClone();
                    break;
                case (JsonObject obj, "remove"):
                    obj.Remove(last);
                    break;
                default:
                    throw new InvalidOperationException($"cannot apply {op.Op} {op.Path}");
            }
        }

        return result;
    }

    private static int Index(string segment) => int.Parse(segment, NumberStyles.None, CultureInfo.InvariantCulture);
}
