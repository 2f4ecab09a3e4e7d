using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Arkonis.Cli.Tests.Support;

/// <summary>
/// The few API-server routes the CLI uses, in KubernetesClient's shape: get and merge-patch an ArkEvent, get a
/// Secret, list ArkFlows by label. Misses answer a 404 Status. Writes a kubeconfig that points at it.
/// </summary>
public sealed class FakeKubeApi : IAsyncDisposable
{
    private const string Events = "/apis/arkonis.dev/v1alpha1/namespaces/{ns}/arkevents/{name}";

    private Microsoft.AspNetCore.Builder.WebApplication? _app;

    public ConcurrentDictionary<string, JsonObject> ArkEvents { get; } = new();

    public ConcurrentDictionary<string, Dictionary<string, string>> Secrets { get; } = new();

    public List<JsonObject> ArkFlows { get; } = [];

    public List<(string Path, string ContentType, string Body)> Patches { get; } = [];

    public Uri Url { get; private set; } = null!;

    public string KubeconfigPath { get; } = Path.Combine(Directory.CreateTempSubdirectory("arkevent-cli-").FullName, "config");

    public static async Task<FakeKubeApi> StartAsync()
    {
        var fake = new FakeKubeApi();
        (fake._app, fake.Url) = await LoopbackApp.StartAsync(app =>
        {
            app.MapGet(Events, (string ns, string name) => fake.ArkEvents.TryGetValue($"{ns}/{name}", out var ev) ? Results.Json(ev) : NotFound("arkevents", name));
            app.MapPatch(Events, async (HttpContext http, string ns, string name) =>
            {
                var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
                if (!fake.ArkEvents.TryGetValue($"{ns}/{name}", out var ev))
                {
                    return NotFound("arkevents", name);
                }

                lock (fake.Patches)
                {
                    fake.Patches.Add((http.Request.Path, http.Request.ContentType ?? string.Empty, body));
                }

                var annotations = JsonNode.Parse(body)?["metadata"]?["annotations"]?.AsObject() ?? [];
                var target = (JsonObject)(ev["metadata"]!["annotations"] ??= new JsonObject());
                foreach (var (key, value) in annotations)
                {
                    target[key] = value?.DeepClone();
                }

                return Results.Json(ev);
            });
            app.MapGet("/api/v1/namespaces/{ns}/secrets/{name}", (string ns, string name) =>
                fake.Secrets.TryGetValue($"{ns}/{name}", out var data)
                    ? Results.Json(new JsonObject
                    {
                        ["apiVersion"] = "v1",
                        ["kind"] = "Secret",
                        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
                        ["type"] = "Opaque",
                        ["data"] = new JsonObject(data.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Convert.ToBase64String(Encoding.UTF8.GetBytes(kv.Value))))),
                    })
                    : NotFound("secrets", name));
            app.MapGet("/apis/arkonis.dev/v1alpha1/namespaces/{ns}/arkflows", (string ns, string? labelSelector) =>
            {
                var (key, value) = labelSelector?.Split('=') is [var k, var v] ? (k, v) : (string.Empty, string.Empty);
                var items = fake.ArkFlows.Where(f => f["metadata"]!["namespace"]!.GetValue<string>() == ns
                    && (key.Length == 0 || f["metadata"]!["labels"]?[key]?.GetValue<string>() == value));
                return Results.Json(new JsonObject
                {
                    ["apiVersion"] = "arkonis.dev/v1alpha1",
                    ["kind"] = "ArkFlowList",
                    ["metadata"] = new JsonObject(),
                    ["items"] = new JsonArray([.. items.Select(i => i.DeepClone())]),
                });
            });
        });
        await File.WriteAllTextAsync(fake.KubeconfigPath, $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: fake
                cluster:
                  server: {fake.Url.ToString().TrimEnd('/')}
            users:
              - name: tester
                user:
                  token: kube-token
            contexts:
              - name: fake
                context:
                  cluster: fake
                  user: tester
                  namespace: ai-team
            current-context: fake
            """);
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Directory.Delete(Path.GetDirectoryName(KubeconfigPath)!, recursive: true);
    }

    /// <summary>Adds an ArkEvent from YAML-ish parts: its source (as JSON) and an optional status.</summary>
    public void AddEvent(string ns, string name, JsonObject source, JsonObject? status = null) =>
        ArkEvents[$"{ns}/{name}"] = new JsonObject
        {
            ["apiVersion"] = "arkonis.dev/v1alpha1",
            ["kind"] = "ArkEvent",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["generation"] = 1 },
            ["spec"] = new JsonObject { ["source"] = source, ["targets"] = new JsonArray(new JsonObject { ["pipeline"] = "my-flow" }) },
            ["status"] = status,
        };

    private static IResult NotFound(string resource, string name) => Results.Json(new JsonObject
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["status"] = "Failure",
        ["message"] = $"{resource} \"{name}\" not found",
        ["reason"] = "NotFound",
        ["code"] = 404,
    }, statusCode: 404);
}
