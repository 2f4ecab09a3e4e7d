using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>
/// The whole dispatcher (its own Program) in cluster mode: ArkEvents from the stand-in API server, the token the
/// reconciler issued used to fire, an ArkFlow created from the template, its completion published by the bridge and
/// delivered back through the (fake) sidecar as daprd delivers it, the sync caller answered, the status counted.
/// </summary>
public sealed class ClusterEndToEndTests : IAsyncLifetime
{
    private ClusterHost _cluster = null!;

    private KubeApiStandIn Api => _cluster.Api;

    public async Task InitializeAsync() => _cluster = await ClusterHost.StartAsync(api =>
    {
        api.Seed("arkevents", Fixtures.Webhook("hook", pipelines: "research-flow"));
        api.Seed("arkevents", Fixtures.Webhook("orphan", pipelines: "no-such-flow"));
        api.Seed("arkflows", Fixtures.FlowTemplate("research-flow"));
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    /// <summary>The leader issues the token; the Kubernetes secret store would serve it to the trigger API.</summary>
    private async Task<string> IssuedTokenAsync(string eventName)
    {
        var secret = await Eventually.Value(() => Api.Get("secrets", "team-a", $"{eventName}-webhook-token"), "token issued");
        var token = Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]!["token"]!));
        _cluster.Sidecar.Runtime.Secrets[$"{eventName}-webhook-token"] = new Dictionary<string, string> { ["token"] = token };
        return token;
    }

    private Task<HttpResponseMessage> FireSyncAsync(string eventName, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/triggers/team-a/{eventName}/fire?mode=sync&timeout=30s")
        {
            Content = new StringContent("""{"topic":"quantum"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);
        return _cluster.Client.SendAsync(request);
    }

    [Fact]
    public async Task A_webhook_fire_runs_an_arkflow_and_answers_with_its_output()
    {
        var fire = FireSyncAsync("hook", await IssuedTokenAsync("hook"));

        var run = await Eventually.Value(() => Api.List("arkflows", "team-a", "arkonis.dev/event=hook") is [var first, ..] ? first : null, "ArkFlow created");
        Assert.Equal("quantum", (string?)run["spec"]!["input"]!["topic"]);
        Api.Update("arkflows", "team-a", (string)run["metadata"]!["name"]!, o => o["status"] = new JsonObject
        {
            ["phase"] = "Succeeded",
            ["completionTime"] = "2026-11-28T12:00:00Z",
            ["output"] = """{"summary":"the answer"}""",
        });

        using var response = await fire;
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal("Succeeded", (string?)body["status"]);
        Assert.Equal("the answer", (string?)body["output"]?["summary"]);

        await Eventually.Until(() => (int?)Api.Get("arkevents", "team-a", "hook")!["status"]?["firedCount"] == 1
            && (string?)Api.Get("arkevents", "team-a", "hook")!["status"]?["lastRun"]?["result"] == "Succeeded", "status counted and completed");
        await Eventually.Until(() => Api.List("events", "team-a").Any(e => (string?)e["reason"] == "Fired"), "Fired event");
    }

    [Fact]
    public async Task A_missing_template_fails_the_target_at_once_without_retries()
    {
        using var response = await FireSyncAsync("orphan", await IssuedTokenAsync("orphan"));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.InternalServerError, body.ToJsonString());
        Assert.Contains("flow template no-such-flow not found in namespace team-a", body.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(1, Api.Requests.Count(r => r.Method == "GET" && r.Path.EndsWith("/arkflows/no-such-flow", StringComparison.Ordinal)));
        Assert.Empty(Api.List("arkflows", "team-a", "arkonis.dev/event=orphan"));
    }
}
