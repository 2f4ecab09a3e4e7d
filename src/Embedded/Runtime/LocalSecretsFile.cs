using System.Text.Json;
using System.Text.Json.Nodes;

namespace Arkonis.Embedded.Runtime;

/// <summary>
/// Reads a <c>secretstores.local.file</c> secrets file with <c>multiValued: true</c> (<c>components/secrets.json</c>):
/// each top-level key is a secret whose values are its nested keys, joined with <c>:</c> when nested deeper (the
/// component's default <c>nestedSeparator</c>). Read once, at start, as daprd does.
/// </summary>
public static class LocalSecretsFile
{
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Read(string path)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"{path}: the secrets file must hold a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message}).", e);
        }
        var secrets = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (name, value) in root)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            if (value is JsonObject nested)
            {
                Flatten(nested, prefix: null, values);
            }
            else
            {
                values[name] = value?.ToString() ?? string.Empty;
            }
            secrets[name] = values;
        }
        return secrets;
    }

    private static void Flatten(JsonObject node, string? prefix, Dictionary<string, string> values)
    {
        foreach (var (key, value) in node)
        {
            var name = prefix is null ? key : prefix + ":" + key;
            if (value is JsonObject deeper)
            {
                Flatten(deeper, name, values);
            }
            else
            {
                values[name] = value?.ToString() ?? string.Empty;
            }
        }
    }
}
