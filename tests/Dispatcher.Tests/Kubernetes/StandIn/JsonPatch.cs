using System.Globalization;
using System.Text.Json.Nodes;

namespace Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

/// <summary>RFC 7386 JSON merge patch and RFC 6902 JSON Patch (add, remove, replace, test), on copies.</summary>
public static class JsonPatch
{
    public static JsonNode Merge(JsonNode? target, JsonNode patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch.DeepClone();
        }
        var result = target is JsonObject t ? t.DeepClone().AsObject() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var current = result[key];
                result[key] = Merge(current, value);
            }
        }
        return result;
    }

    public sealed record Result(JsonObject? Value, string? Error);

    public static Result Apply(JsonObject target, JsonArray operations)
    {
        JsonNode document = target.DeepClone();
        foreach (var operation in operations)
        {
            var op = (string?)operation?["op"];
            var path = (string?)operation?["path"] ?? "";
            var value = operation?["value"];
            var tokens = path.Split('/').Skip(1).Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
            if (tokens.Length == 0)
            {
                return new Result(null, $"unsupported path \"{path}\"");
            }
            var parent = Resolve(document, tokens[..^1]);
            var last = tokens[^1];
            switch (op)
            {
                case "test":
                    var actual = parent is null ? null : Child(parent, last);
                    if (!JsonNode.DeepEquals(actual, value))
                    {
                        return new Result(null, $"testing value {path} failed: test failed");
                    }
                    break;
                case "add":
                case "replace":
                    if (parent is JsonObject o)
                    {
                        if (op == "replace" && !o.ContainsKey(last))
                        {
                            return new Result(null, $"replace operation does not apply: doc is missing key: {path}");
                        }
                        o[last] = value?.DeepClone();
                    }
                    else if (parent is JsonArray a)
                    {
                        if (last == "-")
                        {
                            a.Add(value?.DeepClone());
                        }
                        else if (int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index <= a.Count)
                        {
                            if (op == "replace")
                            {
                                a[index] = value?.DeepClone();
                            }
                            else
                            {
                                a.Insert(index, value?.DeepClone());
                            }
                        }
                        else
                        {
                            return new Result(null, $"index out of range: {path}");
                        }
                    }
                    else
                    {
                        return new Result(null, $"{op} operation does not apply: doc is missing path: \"{path}\"");
                    }
                    break;
                case "remove":
                    if (parent is JsonObject ro && ro.ContainsKey(last))
                    {
                        ro.Remove(last);
                    }
                    else if (parent is JsonArray ra && int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var ri) && ri < ra.Count)
                    {
                        ra.RemoveAt(ri);
                    }
                    else
                    {
                        return new Result(null, $"remove operation does not apply: doc is missing path: \"{path}\"");
                    }
                    break;
                default:
                    return new Result(null, $"unexpected kind: {op}");
            }
        }
        return new Result(document.AsObject(), null);
    }

    private static JsonNode? Resolve(JsonNode? node, IEnumerable<string> tokens)
    {
        foreach (var token in tokens)
        {
            node = node is null ? null : Child(node, token);
        }
        return node;
    }

    private static JsonNode? Child(JsonNode node, string token) => node switch
    {
        JsonObject o => o[token],
        JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
        _ => null,
    };
}
