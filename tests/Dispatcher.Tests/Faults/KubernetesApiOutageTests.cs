using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Tests.Kubernetes;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

namespace Arkonis.Dispatcher.Tests.Faults;

/// <summary>
/// The Kubernetes API away while a trigger fires, end to end in cluster mode (the pieces have their own tests:
/// Kubernetes/CatalogWatchTests keeps the catalog through an outage, Kubernetes/ReconcilerTests counts fires recorded
/// while away). Here the whole path: the catalog's last state still authenticates and accepts the fire, the flow start
/// (template read, ArkFlow create) is retried by the workflow's policy until the API answers again and creates one
/// ArkFlow, and the status write queued while away lands when it is back.
/// </summary>
public sealed class KubernetesApiOutageTests : IAsyncLifetime
{
    private ClusterHost _cluster = null!;

    private KubeApiStandIn Api => _cluster.Api;

    public async Task InitializeAsync() => _cluster = await ClusterHost.StartAsync(api =>
    {
        api.Seed("arkevents", Fixtures.Webhook("hook", pipelines: "research-flow"));
        api.Seed("arkflows", Fixtures.FlowTemplate("research-flow"));
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_fire_while_the_api_server_is_away_is_accepted_its_flow_starts_and_its_status_lands_when_it_is_back()
    {
        var secret = await Eventually.Value(() => Api.Get("secrets", "team-a", "hook-webhook-token"), "token issued");
        var token = Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]!["token"]!));
        _cluster.Sidecar.Runtime.Secrets["hook-webhook-token"] = new Dictionary<string, string> { ["token"] = token };
        await Eventually.Until(() => Api.Get("arkevents", "team-a", "hook")?["status"]?["conditions"] is not null, "reconciled");

        Api.Unavailable = true;
        var from = Api.Requests.Count;
        var request = new HttpRequestMessage(HttpMethod.Post, "/triggers/team-a/hook/fire?mode=sync&timeout=30s")
        {
            Content = new StringContent("""{"topic":"outage"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);
        var fire = _cluster.Client.SendAsync(request);

        // The flow start and the status write both meet the outage, and are tried again.
        await Eventually.Until(() => Api.Requests.Skip(from).Any(r => r.Status == 503 && r.Path.Contains("/arkflows", StringComparison.Ordinal)),
            "the flow start refused while away");
        await Eventually.Until(() => Api.Requests.Skip(from).Any(r => r.Status == 503 && r.Method == "PATCH" && r.Path.Contains("/arkevents/hook", StringComparison.Ordinal)),
            "the status write refused while away");
        Assert.False(fire.IsCompleted, "the fire was answered before its flow could start");
        Api.Unavailable = false;

        var run = await Eventually.Value(() => Api.List("arkflows", "team-a", "arkonis.dev/event=hook") is [var first, ..] ? first : null,
            "ArkFlow created once the API is back");
        Api.Update("arkflows", "team-a", (string)run["metadata"]!["name"]!, o => o["status"] = new JsonObject
        {
            ["phase"] = "Succeeded",
            ["completionTime"] = "2026-11-28T12:00:00Z",
            ["output"] = """{"summary":"after the outage"}""",
        });
        using var response = await fire.WaitAsync(TimeSpan.FromSeconds(20));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal("after the outage", (string?)body["output"]?["summary"]);
        Assert.Single(Api.List("arkflows", "team-a", "arkonis.dev/event=hook"));
        await Eventually.Until(() => (int?)Api.Get("arkevents", "team-a", "hook")!["status"]?["firedCount"] == 1
            && (string?)Api.Get("arkevents", "team-a", "hook")!["status"]?["lastRun"]?["result"] == "Succeeded", "status counted and completed");
    }
}
