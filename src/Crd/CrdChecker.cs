using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cel;
using Json.Schema;

namespace Arkonis.Crd;

/// <summary>A CRD kube-apiserver refused: the errors it would print, one per line.</summary>
public sealed class CrdRefusedException(string name, IReadOnlyList<FieldError> errors)
    : Exception($"CustomResourceDefinition.apiextensions.k8s.io \"{name}\" is invalid:\n" + string.Join("\n", errors.Select(e => "* " + e)))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}

/// <summary>
/// A CustomResourceDefinition installed the way kube-apiserver installs one, then its objects treated the way the
/// apiextensions registry treats them. Read from the Kubernetes source (kubernetes/kubernetes, kube-openapi):
/// <list type="bullet">
/// <item>the CRD's own validation: <c>staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go</c>
/// (the x-kubernetes-validations reasons FieldValueRequired, FieldValueForbidden, FieldValueInvalid, FieldValueDuplicate;
/// fieldPath resolved through declared properties, no <c>[index]</c>; list-type and list-map-key rules, map keys
/// required or defaulted; defaults valid under their schema; rules that compile) and the structural-schema rules of
/// <c>staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/validation.go</c> (every node typed; root
/// <c>metadata</c> restricts only name and generateName);</item>
/// <item>per object (<c>pkg/registry/customresource/strategy.go</c> Validate, <c>validator.go</c>): apiVersion/kind, the
/// object's name as a DNS-1123 subdomain, then OpenAPI validation (<c>pkg/apiserver/validation/validation.go</c>
/// kubeOpenAPIResultToFieldErrors, messages from kube-openapi <c>pkg/validation/errors/schema.go</c>), then
/// list-map/set uniqueness (<c>pkg/apiserver/schema/listtype/validation.go</c>), then the CEL rules
/// (<c>pkg/apiserver/schema/cel/validation.go</c>, as of kube-apiserver 1.35: a failed rule on a scalar prints its value,
/// kubernetes/kubernetes#132798 and #133832; older servers printed the type), skipped with "some validation rules were not checked" after a
/// blocking error (strategy.go hasBlockingErr: NotSupported, Required, TooLong, TooMany, TypeInvalid);</item>
/// <item>before validation, defaulting (<c>pkg/apiserver/schema/defaulting</c>) and pruning of unknown fields
/// (<c>pkg/apiserver/schema/pruning</c>), as the decoder does.</item>
/// </list>
/// Validation is done by JsonSchema.Net (the decision) with kube-openapi's wording (the message); rules by the NuGet
/// <c>Cel</c> implementation. Not modelled: CEL cost estimation, CEL type checking against the schema (Cel 0.3.3
/// checks syntax and evaluates dynamically), Kubernetes' CEL library extensions, ratcheting, Go's map-iteration order
/// (kube-apiserver reports errors of sibling properties in no fixed order; here they come in schema order).
/// </summary>
public sealed partial class CrdChecker
{
    private static readonly HashSet<string> SupportedReasons = [FieldError.Required, FieldError.Forbidden, FieldError.Invalid, FieldError.Duplicate];
    private static readonly HashSet<string> OpenApiTypes = ["string", "number", "integer", "boolean", "array", "object"];

    private readonly CelEnvironment _cel = new([], null);
    private readonly Dictionary<string, Func<IDictionary<string, object?>, object?>> _compiled = new(StringComparer.Ordinal);
    private readonly Lock _celLock = new();
    private readonly JsonSchema _jsonSchema;

    private CrdChecker(JsonObject crd)
    {
        Definition = crd;
        var spec = crd["spec"]!;
        Group = (string)spec["group"]!;
        Kind = (string)spec["names"]!["kind"]!;
        Plural = (string)spec["names"]!["plural"]!;
        var version = spec["versions"]!.AsArray().Single(v => (bool?)v!["storage"] == true)!;
        Version = (string)version["name"]!;
        Schema = version["schema"]!["openAPIV3Schema"]!.AsObject();
        HasStatusSubresource = version["subresources"]?["status"] is not null;
        _jsonSchema = JsonSchema.FromText(Schema.ToJsonString());
    }

    public JsonObject Definition { get; }

    public string Group { get; }

    public string Kind { get; }

    public string Plural { get; }

    public string Version { get; }

    /// <summary>The storage version's openAPIV3Schema.</summary>
    public JsonObject Schema { get; }

    /// <summary>With the status subresource, create and update ignore status and only /status writes it.</summary>
    public bool HasStatusSubresource { get; }

    public string ApiVersion => $"{Group}/{Version}";

    /// <summary>Installs the CustomResourceDefinition in <paramref name="path"/> (a file or a kustomize directory of them).</summary>
    public static CrdChecker Install(string path)
    {
        IEnumerable<string> files = Directory.Exists(path)
            ? Directory.GetFiles(path, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml").Order(StringComparer.Ordinal)
            : [path];
        var crd = files.SelectMany(Yaml.LoadFile).Single(o => (string?)o["kind"] == "CustomResourceDefinition");
        return Install(crd);
    }

    public static CrdChecker Install(JsonObject crd)
    {
        var errors = ValidateDefinition(crd);
        if (errors.Count > 0)
        {
            throw new CrdRefusedException((string?)crd["metadata"]?["name"] ?? "", errors);
        }
        var checker = new CrdChecker(crd);
        checker.CompileRules(checker.Schema);
        return checker;
    }

    /// <summary>What kube-apiserver says about the CustomResourceDefinition itself (empty: it is accepted).</summary>
    public static IReadOnlyList<FieldError> ValidateDefinition(JsonObject crd)
    {
        var errors = new List<FieldError>();
        var versions = crd["spec"]?["versions"] as JsonArray ?? [];
        for (var i = 0; i < versions.Count; i++)
        {
            if (versions[i]?["schema"]?["openAPIV3Schema"] is not JsonObject schema)
            {
                errors.Add(new(FieldError.Required, $"spec.versions[{i}].schema.openAPIV3Schema", null, "schemas are required"));
                continue;
            }
            var env = new CelEnvironment([], null);
            ValidateNode(schema, $"spec.versions[{i}].schema.openAPIV3Schema", Level.Root, env, errors);
        }
        return errors;
    }

    private enum Level
    {
        Root,
        Field,
        Item,
    }

    private static void ValidateNode(JsonObject node, string path, Level level, CelEnvironment env, List<FieldError> errors)
    {
        var type = (string?)node["type"];
        var intOrString = (bool?)node["x-kubernetes-int-or-string"] == true;
        var preserve = (bool?)node["x-kubernetes-preserve-unknown-fields"] == true;
        if (string.IsNullOrEmpty(type) && !intOrString && !preserve)
        {
            errors.Add(new(FieldError.Required, path + ".type", null, level switch
            {
                Level.Root => "must not be empty at the root",
                Level.Item => "must not be empty for specified array items",
                _ => "must not be empty for specified object fields",
            }));
        }
        else if (!string.IsNullOrEmpty(type) && !OpenApiTypes.Contains(type))
        {
            errors.Add(new(FieldError.NotSupported, path + ".type", FieldError.Quote(type),
                "supported values: " + string.Join(", ", OpenApiTypes.Order(StringComparer.Ordinal).Select(FieldError.Quote))));
        }
        var properties = node["properties"] as JsonObject;
        if (properties is not null && node["additionalProperties"] is not null and not JsonValue)
        {
            errors.Add(new(FieldError.Forbidden, path + ".additionalProperties", null, "additionalProperties and properties are mutual exclusive"));
        }
        if (level == Level.Root && properties?["metadata"] is JsonObject metadata)
        {
            var restricted = metadata.Select(p => p.Key).Where(k => k is not ("type" or "properties")).ToList();
            var named = (metadata["properties"] as JsonObject)?.Select(p => p.Key).Where(k => k is not ("name" or "generateName")).ToList() ?? [];
            if (restricted.Count > 0 || named.Count > 0)
            {
                errors.Add(new(FieldError.Forbidden, path + ".properties[metadata]", null,
                    "must not specify anything other than name and generateName, but metadata is implicitly specified"));
            }
        }
        if (node["pattern"] is JsonValue pattern && !IsRegex((string)pattern!))
        {
            errors.Add(new(FieldError.Invalid, path + ".pattern", FieldError.GoValue(pattern), "must be a valid regular expression"));
        }
        ValidateListType(node, path, type, errors);
        if (node["default"] is { } defaultValue)
        {
            ValidateDefault(node, defaultValue, path, errors);
        }
        ValidateRules(node, path, env, errors);

        foreach (var (name, child) in properties ?? [])
        {
            if (child is JsonObject c)
            {
                ValidateNode(c, $"{path}.properties[{name}]", Level.Field, env, errors);
            }
        }
        if (node["items"] is JsonObject items)
        {
            ValidateNode(items, path + ".items", Level.Item, env, errors);
        }
        if (node["additionalProperties"] is JsonObject additional)
        {
            ValidateNode(additional, path + ".additionalProperties", Level.Field, env, errors);
        }
    }

    private static void ValidateListType(JsonObject node, string path, string? type, List<FieldError> errors)
    {
        var listType = (string?)node["x-kubernetes-list-type"];
        var keys = (node["x-kubernetes-list-map-keys"] as JsonArray)?.Select(k => (string)k!).ToList() ?? [];
        if (listType is not null && type != "array")
        {
            errors.Add(new(FieldError.Invalid, path + ".type", FieldError.Quote(type ?? ""), "must be array if x-kubernetes-list-type is specified"));
        }
        if (listType is not null and not ("atomic" or "set" or "map"))
        {
            errors.Add(new(FieldError.NotSupported, path + ".x-kubernetes-list-type", FieldError.Quote(listType), "supported values: \"atomic\", \"set\", \"map\""));
        }
        if (keys.Count > 0 && listType != "map")
        {
            errors.Add(new(FieldError.Invalid, path + ".x-kubernetes-list-type", FieldError.Quote(listType ?? ""), "must be map if x-kubernetes-list-map-keys is non-empty"));
        }
        if (listType != "map")
        {
            return;
        }
        if (keys.Count == 0)
        {
            errors.Add(new(FieldError.Required, path + ".x-kubernetes-list-map-keys", null, "must not be empty if x-kubernetes-list-type is map"));
        }
        if (node["items"] is not JsonObject items || (string?)items["type"] != "object")
        {
            errors.Add(new(FieldError.Invalid, path + ".items.type", null, "must be object if parent array's x-kubernetes-list-type is map"));
            return;
        }
        var required = (items["required"] as JsonArray)?.Select(r => (string)r!).ToHashSet() ?? [];
        foreach (var key in keys)
        {
            if (items["properties"]?[key] is not JsonObject property)
            {
                errors.Add(new(FieldError.Invalid, path + ".x-kubernetes-list-map-keys", null, "entries must all be names of item properties"));
                continue;
            }
            if ((string?)property["type"] is "array" or "object")
            {
                errors.Add(new(FieldError.Invalid, $"{path}.items.properties[{key}].type", null, "must be a scalar type if parent array's x-kubernetes-list-type is map"));
            }
            if (!required.Contains(key) && property["default"] is null)
            {
                errors.Add(new(FieldError.Required, $"{path}.items.properties[{key}].default", null,
                    "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"));
            }
        }
    }

    /// <summary>A default must itself pass its schema (validation.go validates defaults after pruning them).</summary>
    private static void ValidateDefault(JsonObject node, JsonNode defaultValue, string path, List<FieldError> errors)
    {
        var schema = JsonSchema.FromText(node.ToJsonString());
        var result = schema.Evaluate(defaultValue, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (!result.IsValid)
        {
            var why = string.Join("; ", (result.Details ?? []).SelectMany(d => d.Errors ?? new Dictionary<string, string>()).Select(e => e.Value));
            errors.Add(new(FieldError.Invalid, path + ".default", FieldError.GoValue(defaultValue), why));
        }
    }

    private static void ValidateRules(JsonObject node, string path, CelEnvironment env, List<FieldError> errors)
    {
        if (node["x-kubernetes-validations"] is not JsonArray rules)
        {
            return;
        }
        var at = path + ".x-kubernetes-validations";
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i]!.AsObject();
            var text = ((string?)rule["rule"] ?? "").Trim();
            var message = (string?)rule["message"];
            if (text.Length == 0)
            {
                errors.Add(new(FieldError.Required, $"{at}[{i}].rule", null, "rule is not specified"));
            }
            else if (message is not null && message.Trim().Length == 0)
            {
                errors.Add(new(FieldError.Invalid, $"{at}[{i}].message", FieldError.Quote(message), "message must be non-empty if specified"));
            }
            else if (message is not null && Newlines().IsMatch(message.Trim()))
            {
                errors.Add(new(FieldError.Invalid, $"{at}[{i}].message", FieldError.Quote(message), "message must not contain line breaks"));
            }
            if ((string?)rule["reason"] is { } reason && !SupportedReasons.Contains(reason))
            {
                errors.Add(new(FieldError.NotSupported, $"{at}[{i}].reason", FieldError.Quote(reason),
                    "supported values: " + string.Join(", ", SupportedReasons.Order(StringComparer.Ordinal).Select(FieldError.Quote))));
            }
            if ((string?)rule["fieldPath"] is { } fieldPath && ResolveFieldPath(node, fieldPath) is null)
            {
                errors.Add(new(FieldError.Invalid, $"{at}[{i}].fieldPath", FieldError.Quote(fieldPath), "fieldPath must be a valid path"));
            }
            foreach (var (key, expression) in new[] { ("rule", text), ("messageExpression", (string?)rule["messageExpression"] ?? "") })
            {
                if (expression.Length == 0)
                {
                    continue;
                }
                try
                {
                    env.Compile(expression);
                }
#pragma warning disable CA1031 // any compiler failure is the API server's "compilation failed"
                catch (Exception e)
#pragma warning restore CA1031
                {
                    errors.Add(new(FieldError.Invalid, $"{at}[{i}].{key}", null, "compilation failed: " + e.Message));
                }
            }
        }
    }

    /// <summary>
    /// cel.ValidFieldPath: <c>.name</c> and <c>['name']</c> steps through declared properties (or a map's keys), no array
    /// index; answers the normalized field path (<c>.targets</c> → <c>targets</c>) or <see langword="null"/> when invalid.
    /// </summary>
    internal static string? ResolveFieldPath(JsonObject schema, string fieldPath)
    {
        var steps = FieldPathStep().Matches(fieldPath);
        if (steps.Sum(m => m.Length) != fieldPath.Length || steps.Count == 0)
        {
            return null;
        }
        var normalized = new List<string>();
        JsonObject? node = schema;
        foreach (Match step in steps)
        {
            var name = step.Groups["dot"].Success ? step.Groups["dot"].Value : step.Groups["key"].Value.Replace("\\'", "'", StringComparison.Ordinal);
            if (node?["properties"] is JsonObject properties)
            {
                node = properties[name] as JsonObject;
                if (node is null)
                {
                    return null;
                }
                normalized.Add(normalized.Count == 0 ? name : "." + name);
            }
            else if (node?["additionalProperties"] is JsonObject additional)
            {
                node = additional;
                normalized.Add($"[{name}]");
            }
            else
            {
                return null;
            }
        }
        return string.Concat(normalized);
    }

    /// <summary><see cref="ResolveFieldPath"/> for tests that check each rule of a CRD.</summary>
    public static string? ResolveFieldPathForTests(JsonObject schema, string fieldPath) => ResolveFieldPath(schema, fieldPath);

    private static bool IsRegex(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"\G(?:\.(?<dot>[A-Za-z_][A-Za-z0-9_\-]*)|\['(?<key>(?:[^'\\]|\\.)*)'\])")]
    private static partial Regex FieldPathStep();

    [GeneratedRegex(@"[\n\r]+")]
    private static partial Regex Newlines();
}
