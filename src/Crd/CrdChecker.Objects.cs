using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Arkonis.Crd;

/// <summary>What the registry made of an object: the decoded (defaulted, pruned) object, the unknown fields it dropped, and the errors.</summary>
public sealed record CrdVerdict(JsonObject Object, IReadOnlyList<string> Pruned, IReadOnlyList<FieldError> Errors)
{
    public bool Allowed => Errors.Count == 0;
}

public sealed partial class CrdChecker
{
    public const string RulesNotChecked =
        "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

    private static readonly HashSet<string> Blocking = [FieldError.NotSupported, FieldError.Required, FieldError.TooLong, FieldError.TooMany, FieldError.TypeInvalid];

    /// <summary>Decoding: the structural defaults, then pruning (kube-apiserver does both before admission and again after each mutating webhook).</summary>
    public JsonObject Decode(JsonObject obj, List<string>? pruned = null)
    {
        var copy = obj.DeepClone().AsObject();
        Default(copy, Schema);
        Prune(copy, Schema, "", pruned ?? [], root: true);
        return copy;
    }

    /// <summary>The registry's create (<c>BeforeCreate</c>): PrepareForCreate drops status (the status subresource), then <see cref="Validate"/>.</summary>
    public CrdVerdict Create(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        if (HasStatusSubresource)
        {
            copy.Remove("status");
        }
        return Validate(copy);
    }

    /// <summary>Decode (defaults, pruning), then strategy.Validate on the whole object; <paramref name="old"/> makes it an update (transition rules run).</summary>
    public CrdVerdict Validate(JsonObject obj, JsonObject? old = null)
    {
        var pruned = new List<string>();
        var decoded = Decode(obj, pruned);
        var errors = new List<FieldError>();
        if ((string?)decoded["kind"] != Kind)
        {
            errors.Add(new(FieldError.Invalid, "kind", FieldError.GoValue(decoded["kind"]), $"must be {Kind}"));
        }
        if ((string?)decoded["apiVersion"] != ApiVersion)
        {
            errors.Add(new(FieldError.Invalid, "apiVersion", FieldError.GoValue(decoded["apiVersion"]), $"must be {ApiVersion}"));
        }
        if (errors.Count > 0)
        {
            return new(decoded, pruned, errors);
        }
        errors.AddRange(ValidateObjectMeta(decoded));
        errors.AddRange(ValidateSchema(decoded));
        errors.AddRange(ValidateLists(decoded, Schema, ""));
        if (errors.Any(e => Blocking.Contains(e.Type)))
        {
            errors.Add(new(FieldError.Invalid, FieldError.NilPath, FieldError.Quote("null"), RulesNotChecked));
        }
        else
        {
            errors.AddRange(ValidateRules(decoded, Schema, "", root: true, old is null ? null : Decode(old)));
        }
        return new(decoded, pruned, errors);
    }

    /// <summary>apierrors.NewInvalid: the Status body of a 422 (what kubectl renders as "The Kind "name" is invalid: ...").</summary>
    public JsonObject InvalidStatus(string name, IReadOnlyList<FieldError> errors)
    {
        var lines = errors.Select(e => e.ToString()).Distinct(StringComparer.Ordinal).ToList();
        var aggregate = lines.Count == 1 ? lines[0] : "[" + string.Join(", ", lines) + "]";
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"{Kind}.{Group} \"{name}\" is invalid: {aggregate}",
            ["reason"] = "Invalid",
            ["details"] = new JsonObject
            {
                ["name"] = name,
                ["group"] = Group,
                ["kind"] = Kind,
                ["causes"] = new JsonArray([.. errors.Select(e => (JsonNode)new JsonObject
                {
                    ["reason"] = e.Type,
                    ["message"] = e.Body(),
                    ["field"] = e.Field,
                })]),
            },
            ["code"] = 422,
        };
    }

    // ---- defaulting and pruning ----

    private static void Default(JsonNode? value, JsonObject schema)
    {
        switch (value)
        {
            case JsonObject obj:
                if (schema["properties"] is JsonObject properties)
                {
                    foreach (var (name, sub) in properties)
                    {
                        if (!obj.ContainsKey(name) && sub?["default"] is { } d)
                        {
                            obj[name] = d.DeepClone();
                        }
                    }
                    foreach (var (name, sub) in properties)
                    {
                        if (sub is JsonObject s && obj[name] is { } child)
                        {
                            Default(child, s);
                        }
                    }
                }
                else if (schema["additionalProperties"] is JsonObject additional)
                {
                    foreach (var (_, child) in obj)
                    {
                        Default(child, additional);
                    }
                }
                break;
            case JsonArray array when schema["items"] is JsonObject items:
                foreach (var item in array)
                {
                    Default(item, items);
                }
                break;
        }
    }

    private static void Prune(JsonNode? value, JsonObject schema, string path, List<string> pruned, bool root = false)
    {
        if ((bool?)schema["x-kubernetes-preserve-unknown-fields"] == true)
        {
            return;
        }
        switch (value)
        {
            case JsonObject obj when schema["properties"] is JsonObject properties:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    var childPath = path.Length == 0 ? name : $"{path}.{name}";
                    if (root && name is "apiVersion" or "kind" or "metadata")
                    {
                        continue; // ObjectMeta is pruned by its Go type, not the schema
                    }
                    if (properties[name] is JsonObject sub)
                    {
                        Prune(obj[name], sub, childPath, pruned);
                    }
                    else
                    {
                        obj.Remove(name);
                        pruned.Add(childPath);
                    }
                }
                break;
            case JsonObject obj when schema["additionalProperties"] is JsonObject additional:
                foreach (var (name, child) in obj)
                {
                    Prune(child, additional, $"{path}[{name}]", pruned);
                }
                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    Prune(array[i], items, $"{path}[{i}]", pruned);
                }
                break;
        }
    }

    // ---- validation ----

    /// <summary>ValidateObjectMetaAccessor with NameIsDNSSubdomain (the only part an ArkEvent can get wrong).</summary>
    private static IEnumerable<FieldError> ValidateObjectMeta(JsonObject obj)
    {
        var name = (string?)obj["metadata"]?["name"];
        if (string.IsNullOrEmpty(name))
        {
            yield return new(FieldError.Required, "metadata.name", null, "name or generateName is required");
            yield break;
        }
        if (name.Length > 253)
        {
            yield return new(FieldError.Invalid, "metadata.name", FieldError.Quote(name), "must be no more than 253 characters");
        }
        if (!DnsSubdomain().IsMatch(name))
        {
            yield return new(FieldError.Invalid, "metadata.name", FieldError.Quote(name),
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
        }
    }

    /// <summary>The OpenAPI schema, decided by JsonSchema.Net and worded as kubeOpenAPIResultToFieldErrors words kube-openapi's errors.</summary>
    private IEnumerable<FieldError> ValidateSchema(JsonObject obj)
    {
        var result = _jsonSchema.Evaluate(obj, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (result.IsValid)
        {
            yield break;
        }
        foreach (var detail in result.Details ?? [])
        {
            foreach (var keyword in (detail.Errors ?? new Dictionary<string, string>()).Keys)
            {
                var node = SchemaAt(detail.EvaluationPath.ToString());
                var (name, value) = InstanceAt(obj, detail.InstanceLocation.ToString());
                foreach (var error in Word(keyword, name, node, value, detail.Errors![keyword]))
                {
                    yield return error;
                }
            }
        }
    }

    private static IEnumerable<FieldError> Word(string keyword, string name, JsonObject node, JsonNode? value, string libraryMessage)
    {
        var go = FieldError.GoValue(value);
        switch (keyword)
        {
            case "required":
                foreach (var missing in (node["required"] as JsonArray ?? []).Select(r => (string)r!).Where(r => value is JsonObject o && !o.ContainsKey(r)))
                {
                    yield return new(FieldError.Required, Join(name, missing), null, "");
                }
                break;
            case "enum":
                yield return new(FieldError.NotSupported, name, go,
                    "supported values: " + string.Join(", ", node["enum"]!.AsArray().Select(v => v is JsonValue s && s.TryGetValue<string>(out var text) ? FieldError.Quote(text) : v!.ToJsonString())));
                break;
            case "maxLength":
                yield return new(FieldError.TooLong, name, go, $"may not be longer than {node["maxLength"]}");
                break;
            case "maxItems":
                yield return new(FieldError.TooMany, name, (value as JsonArray)?.Count.ToString(CultureInfo.InvariantCulture), $"must have at most {node["maxItems"]} items");
                break;
            case "maxProperties":
                yield return new(FieldError.TooMany, name, (value as JsonObject)?.Count.ToString(CultureInfo.InvariantCulture), $"must have at most {node["maxProperties"]} items");
                break;
            case "type":
                var actual = JsonType(value);
                yield return new(FieldError.TypeInvalid, name, FieldError.Quote(actual), $"{name} in body must be of type {node["type"]}: {FieldError.Quote(actual)}");
                break;
            case "format":
                yield return new(FieldError.TypeInvalid, name, go, $"{name} in body must be of type {node["format"]}: {go}");
                break;
            case "minLength":
                yield return new(FieldError.Invalid, name, go, $"{name} in body should be at least {node["minLength"]} chars long");
                break;
            case "pattern":
                yield return new(FieldError.Invalid, name, go, $"{name} in body should match '{node["pattern"]}'");
                break;
            case "minItems":
                yield return new(FieldError.Invalid, name, (value as JsonArray)?.Count.ToString(CultureInfo.InvariantCulture), $"{name} in body should have at least {node["minItems"]} items");
                break;
            case "minProperties":
                yield return new(FieldError.Invalid, name, (value as JsonObject)?.Count.ToString(CultureInfo.InvariantCulture), $"{name} in body should have at least {node["minProperties"]} properties");
                break;
            case "minimum":
                yield return new(FieldError.Invalid, name, go, $"{name} in body should be greater than or equal to {node["minimum"]}");
                break;
            case "maximum":
                yield return new(FieldError.Invalid, name, go, $"{name} in body should be less than or equal to {node["maximum"]}");
                break;
            default:
                yield return new(FieldError.Invalid, name, go, libraryMessage);
                break;
        }
    }

    /// <summary>x-kubernetes-list-type map and set: the first repeat of a key is a Duplicate, valued as Go prints the key map.</summary>
    private static IEnumerable<FieldError> ValidateLists(JsonNode? value, JsonObject schema, string path)
    {
        switch (value)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    var sub = schema["properties"]?[name] as JsonObject ?? schema["additionalProperties"] as JsonObject;
                    if (sub is null)
                    {
                        continue;
                    }
                    var childPath = schema["properties"] is JsonObject ? Join(path, name) : $"{path}[{name}]";
                    foreach (var e in ValidateLists(child, sub, childPath))
                    {
                        yield return e;
                    }
                }
                break;
            case JsonArray array:
                var listType = (string?)schema["x-kubernetes-list-type"];
                if (listType is "map" or "set")
                {
                    var keys = (schema["x-kubernetes-list-map-keys"] as JsonArray)?.Select(k => (string)k!).ToList() ?? [];
                    var seen = new Dictionary<string, int>(StringComparer.Ordinal);
                    for (var i = 0; i < array.Count; i++)
                    {
                        JsonNode? key = listType == "set" ? array[i]?.DeepClone()
                            : new JsonObject([.. keys.Where(k => array[i] is JsonObject o && o.ContainsKey(k)).Select(k => KeyValuePair.Create(k, array[i]![k]?.DeepClone()))]);
                        var text = key?.ToJsonString() ?? "null";
                        seen[text] = seen.GetValueOrDefault(text) + 1;
                        if (seen[text] == 2)
                        {
                            yield return new(FieldError.Duplicate, $"{path}[{i}]", FieldError.GoValue(key), "");
                        }
                    }
                }
                if (schema["items"] is JsonObject items)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        foreach (var e in ValidateLists(array[i], items, $"{path}[{i}]"))
                        {
                            yield return e;
                        }
                    }
                }
                break;
        }
    }

    // ---- CEL ----

    private void CompileRules(JsonObject schema)
    {
        foreach (var rule in schema["x-kubernetes-validations"] as JsonArray ?? [])
        {
            foreach (var expression in new[] { (string?)rule!["rule"], (string?)rule["messageExpression"] })
            {
                if (expression is not null && !_compiled.ContainsKey(expression))
                {
                    var program = _cel.Compile(expression);
                    _compiled[expression] = activation => program.Invoke(activation);
                }
            }
        }
        foreach (var (_, child) in schema["properties"] as JsonObject ?? [])
        {
            CompileRules(child!.AsObject());
        }
        foreach (var key in new[] { "items", "additionalProperties" })
        {
            if (schema[key] is JsonObject sub)
            {
                CompileRules(sub);
            }
        }
    }

    /// <summary>cel/validation.go: a node's own rules first, then its children; a failed rule names fieldPath under the node.</summary>
    private IEnumerable<FieldError> ValidateRules(JsonNode? value, JsonObject schema, string path, bool root, JsonNode? old)
    {
        if (value is null)
        {
            yield break;
        }
        var type = (string?)schema["type"] ?? "object";
        foreach (var rule in (schema["x-kubernetes-validations"] as JsonArray ?? []).Select(r => r!.AsObject()))
        {
            var text = (string)rule["rule"]!;
            if (text.Contains("oldSelf", StringComparison.Ordinal) && old is null)
            {
                continue; // transition rules run on updates only
            }
            var self = root ? RootForCel(value.AsObject()) : value;
            object? result;
            string? failure = null;
            try
            {
                result = Evaluate(text, self, old);
            }
#pragma warning disable CA1031 // a runtime error is the rule's failure, as the API server reports it
            catch (Exception e)
#pragma warning restore CA1031
            {
                result = null;
                failure = e.Message;
            }
            if (failure is not null)
            {
                yield return new(FieldError.Invalid, path.Length == 0 ? FieldError.NilPath : path, FieldError.Quote(type), $"{failure} evaluating rule: {text}");
                continue;
            }
            if (result is true)
            {
                continue;
            }
            var at = path;
            if ((string?)rule["fieldPath"] is { } fieldPath)
            {
                at = Join(path, ResolveFieldPath(schema, fieldPath)!);
            }
            var detail = (string?)rule["message"] ?? $"failed rule: {text}";
            if ((string?)rule["messageExpression"] is { } messageExpression && Evaluate(messageExpression, self, old) is string evaluated)
            {
                detail = evaluated;
            }
            var shown = type is "object" or "array" ? null : FieldError.GoValue(value);
            yield return (string?)rule["reason"] switch
            {
                FieldError.Forbidden => new(FieldError.Forbidden, at, null, detail),
                FieldError.Required => new(FieldError.Required, at, null, detail),
                FieldError.Duplicate => new(FieldError.Duplicate, at, shown, ""),
                _ => new(FieldError.Invalid, at, shown, detail),
            };
        }
        switch (value)
        {
            case JsonObject obj when schema["properties"] is JsonObject properties:
                foreach (var (name, sub) in properties)
                {
                    if (obj.ContainsKey(name) && (!root || name is not "metadata"))
                    {
                        foreach (var e in ValidateRules(obj[name], sub!.AsObject(), Join(path, name), false, old?[name]))
                        {
                            yield return e;
                        }
                    }
                }
                break;
            case JsonObject obj when schema["additionalProperties"] is JsonObject additional:
                foreach (var (name, child) in obj)
                {
                    foreach (var e in ValidateRules(child, additional, $"{path}[{name}]", false, old?[name]))
                    {
                        yield return e;
                    }
                }
                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var e in ValidateRules(array[i], items, $"{path}[{i}]", false, null))
                    {
                        yield return e;
                    }
                }
                break;
        }
    }

    private object? Evaluate(string expression, JsonNode? self, JsonNode? old)
    {
        var activation = new Dictionary<string, object?> { ["self"] = ToCel(self) };
        if (old is not null)
        {
            activation["oldSelf"] = ToCel(old);
        }
        lock (_celLock)
        {
            return _compiled[expression](activation);
        }
    }

    /// <summary>model.WithTypeAndObjectMeta: at the root, CEL sees apiVersion, kind and metadata.name/generateName only.</summary>
    private static JsonObject RootForCel(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        if (copy["metadata"] is JsonObject metadata)
        {
            copy["metadata"] = new JsonObject([.. metadata.Where(p => p.Key is "name" or "generateName").Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))]);
        }
        return copy;
    }

    private static object? ToCel(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => ToCel(p.Value), StringComparer.Ordinal),
        JsonArray a => a.Select(ToCel).ToList(),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        _ => node.ToJsonString(),
    };

    // ---- paths ----

    private JsonObject SchemaAt(string evaluationPath)
    {
        JsonNode node = Schema;
        foreach (var segment in evaluationPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var key = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node[key]!;
        }
        return node.AsObject();
    }

    /// <summary>A JSON pointer into the object as kube-openapi names it (<c>spec.targets[2].pipeline</c>) and the value there.</summary>
    private static (string Name, JsonNode? Value) InstanceAt(JsonObject obj, string pointer)
    {
        JsonNode? node = obj;
        var name = "";
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var key = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (node is JsonArray array)
            {
                var index = int.Parse(key, CultureInfo.InvariantCulture);
                name += $"[{index}]";
                node = array[index];
            }
            else
            {
                name = Join(name, key);
                node = node?[key];
            }
        }
        return (name, node);
    }

    private static string Join(string path, string child) => path.Length == 0 ? child : $"{path}.{child}";

    private static string JsonType(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v when v.TryGetValue<string>(out _) => "string",
        JsonValue v when v.TryGetValue<bool>(out _) => "boolean",
        JsonValue v when v.TryGetValue<long>(out _) => "integer",
        _ => "number",
    };

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
