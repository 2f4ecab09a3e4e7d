using System.Text.Json.Nodes;
using Arkonis.Admission.Tests.Support;

namespace Arkonis.Admission.Tests.Webhooks;

/// <summary>
/// Every field of every example replaced by a value of every JSON type: both webhooks still answer a
/// well-formed AdmissionReview (200, uid, no patch on validate, a strictly applicable patch on mutate).
/// </summary>
public sealed class RobustnessTests(AdmissionApp app) : IClassFixture<AdmissionApp>
{
    private static readonly Func<JsonNode?>[] Replacements =
    [
        () => null, () => JsonValue.Create(42), () => JsonValue.Create(-1.5), () => JsonValue.Create("x"),
        () => JsonValue.Create(true), () => new JsonArray(1, "a"), () => new JsonObject { ["k"] = "v" },
    ];

    private readonly AdmissionClient _client = new(app.CreateClient());

    public static TheoryData<string> Examples => new(Directory.GetFiles(Repo.DeployPath("examples"), "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Any_field_with_any_type_is_answered_not_failed(string file)
    {
        var manifest = ApiServer.AsStored(Repo.LoadOne(Repo.DeployPath("examples", file)));
        foreach (var path in Paths(manifest, string.Empty))
        {
            foreach (var replacement in Replacements)
            {
                var broken = manifest.DeepClone().AsObject();
                Set(broken, path, replacement());

                await _client.ValidateAsync(ApiServer.Review("CREATE", broken));
                var mutated = await _client.MutateAsync(ApiServer.Review("CREATE", broken));
                if (AdmissionClient.Patch(mutated) is { } patch)
                {
                    AdmissionClient.Apply(broken, patch);
                }
            }
        }
    }

    private static IEnumerable<string> Paths(JsonNode? node, string prefix)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    var path = prefix + "/" + key;
                    yield return path;
                    foreach (var child in Paths(value, path))
                    {
                        yield return child;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var path = prefix + "/" + i;
                    yield return path;
                    foreach (var child in Paths(array[i], path))
                    {
                        yield return child;
                    }
                }

                break;
        }
    }

    private static void Set(JsonObject root, string path, JsonNode? value)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        JsonNode parent = root;
        foreach (var segment in segments[..^1])
        {
            parent = parent is JsonArray a ? a[int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture)]! : parent[segment]!;
        }

        if (parent is JsonArray array)
        {
            array[int.Parse(segments[^1], System.Globalization.CultureInfo.InvariantCulture)] = value;
        }
        else
        {
            parent[segments[^1]] = value;
        }
    }
}
