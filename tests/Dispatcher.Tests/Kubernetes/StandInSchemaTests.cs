using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Arkonis.Crd;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>
/// The stand-in treats ArkEvents as kube-apiserver does with deploy/crd installed (KubeApiStandIn.Schema): schema
/// defaults and pruning, the mutating webhook, the schema and CEL rules, then the validating webhook
/// (<c>staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go</c>, <c>endpoints/handlers/create.go</c>).
/// </summary>
public sealed class StandInSchemaTests : IAsyncLifetime
{
    private const string Collection = "/apis/arkonis.dev/v1alpha1/namespaces/ai-team/arkevents";
    private KubeApiStandIn _api = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _api = await KubeApiStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }

    private static string Deploy(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "ArkEvent.sln")))
        {
            dir = dir.Parent;
        }
        return Path.Combine([dir.FullName, "deploy", .. parts]);
    }

    public static TheoryData<string> Examples => new(Directory.GetFiles(Deploy("examples"), "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    private async Task<(HttpStatusCode Status, JsonObject Body)> SendAsync(HttpMethod method, string path, JsonNode body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, _api.Url + path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, contentType) };
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    private static JsonObject Example(string file) => Yaml.LoadFile(Deploy("examples", file)).Single();

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Every_example_is_created_through_the_schema_and_stored_defaulted(string file)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, Collection, Example(file));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(Example(file)["spec"]!["concurrencyPolicy"]?.GetValue<string>() ?? "Allow", (string?)body["spec"]!["concurrencyPolicy"]);
        Assert.False((bool)body["spec"]!["suspend"]!);
        Assert.Equal(3, (long)body["spec"]!["successfulRunsHistoryLimit"]!);
    }

    [Fact]
    public async Task The_schema_answers_before_the_validating_webhook_which_never_sees_a_refused_object()
    {
        var calls = new List<string>();
        _api.MutatingWebhook = call =>
        {
            calls.Add("mutate");
            Assert.Equal("Allow", (string?)call.Object["spec"]!["concurrencyPolicy"]); // schema defaults come first
            return WebhookVerdict.Allow();
        };
        _api.ValidatingWebhook = _ =>
        {
            calls.Add("validate");
            return WebhookVerdict.Allow();
        };
        var obj = Yaml.LoadFile(Deploy("examples", "invalid", "cron-without-schedule.yaml")).Single();

        var (status, body) = await SendAsync(HttpMethod.Post, Collection, obj);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(["mutate"], calls);
        Assert.Equal("Invalid", (string?)body["reason"]);
        Assert.Equal("ArkEvent.arkonis.dev \"morning\" is invalid: spec.source.cron: Required value: a cron event needs a schedule such as \"0 8 * * *\"", (string?)body["message"]);
        Assert.Null(_api.Get("arkevents", "ai-team", "morning"));
    }

    [Fact]
    public async Task What_the_mutating_webhook_changes_is_checked_by_the_schema_and_the_validating_webhook_sees_the_result()
    {
        JsonObject? seen = null;
        _api.MutatingWebhook = call =>
        {
            call.Object["spec"]!["source"]!["timezone"] = "Europe/Berlin";
            return WebhookVerdict.Allow(call.Object);
        };
        _api.ValidatingWebhook = call =>
        {
            seen = call.Object;
            return WebhookVerdict.Deny(new JsonObject { ["code"] = 422, ["reason"] = "Invalid", ["message"] = "no" });
        };

        var (status, body) = await SendAsync(HttpMethod.Post, Collection, Example("cron.yaml"));

        Assert.Equal("Europe/Berlin", (string?)seen!["spec"]!["source"]!["timezone"]);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "admission webhook \"varkevent.arkonis.dev\" denied the request: no"), (status, (string?)body["message"]));

        _api.MutatingWebhook = call =>
        {
            call.Object["spec"]!["source"]!["type"] = "kafka";
            return WebhookVerdict.Allow(call.Object);
        };
        seen = null;
        (status, body) = await SendAsync(HttpMethod.Post, Collection, Example("cron.yaml"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Null(seen);
        Assert.Contains("spec.source.type: Unsupported value: \"kafka\"", (string?)body["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_writes_are_pruned_and_validated_by_the_schema()
    {
        _api.ValidatingWebhook = _ => throw new InvalidOperationException("webhooks do not see the status subresource");
        _api.Seed("arkevents", Example("webhook.yaml"));
        var path = Collection + "/pipeline-trigger/status";

        var (status, _) = await SendAsync(HttpMethod.Patch, path, JsonNode.Parse("""{"status":{"firedCount":2,"phase":"Ready"}}""")!, "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"firedCount":2}"""), _api.Get("arkevents", "ai-team", "pipeline-trigger")!["status"]));

        (status, var body) = await SendAsync(HttpMethod.Patch, path, JsonNode.Parse("""{"status":{"nextFireAt":"soon"}}""")!, "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("status.nextFireAt in body must be of type date-time", (string?)body["message"], StringComparison.Ordinal);
    }

    [Fact]
    public void Seeding_an_arkevent_the_api_server_would_refuse_fails_the_test()
    {
        var bad = Example("webhook.yaml");
        bad["spec"]!["targets"] = new JsonArray();

        var e = Assert.Throws<InvalidOperationException>(() => _api.Seed("arkevents", bad));
        Assert.Contains("spec.targets: Invalid value: 0: spec.targets in body should have at least 1 items", e.Message, StringComparison.Ordinal);
    }
}
