using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Arkonis.Crd;

/// <summary>YAML to JSON as kubectl sends it (the YAML 1.2 core schema for plain scalars; quoted scalars stay strings).</summary>
public static class Yaml
{
    public static IReadOnlyList<JsonObject> LoadAll(string text)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(text);
        stream.Load(reader);
        return [.. stream.Documents.Select(d => ToJson(d.RootNode)).OfType<JsonObject>()];
    }

    public static IReadOnlyList<JsonObject> LoadFile(string path) => LoadAll(File.ReadAllText(path));

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s => Plain(s.Value),
        YamlScalarNode s => JsonValue.Create(s.Value),
        _ => null,
    };

    private static JsonValue? Plain(string? value) => value switch
    {
        null or "" or "~" or "null" or "Null" or "NULL" => null,
        "true" or "True" or "TRUE" => JsonValue.Create(true),
        "false" or "False" or "FALSE" => JsonValue.Create(false),
        _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
        _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && value.Any(char.IsDigit) => JsonValue.Create(d),
        _ => JsonValue.Create(value),
    };
}
