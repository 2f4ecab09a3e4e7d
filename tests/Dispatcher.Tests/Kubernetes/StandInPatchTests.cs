using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>The stand-in's PATCH as kube-apiserver answers it: the guarantees the status writer's optimistic concurrency rests on.</summary>
public sealed class StandInPatchTests : IAsyncLifetime
{
    private const string StatusPath = "/apis/arkonis.dev/v1alpha1/namespaces/team-a/arkevents/hook/status";
    private KubeApiStandIn _api = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiStandIn.StartAsync();
        _api.Seed("arkevents", Fixtures.Webhook("hook"));
        _http = new HttpClient { BaseAddress = new Uri(_api.Url) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> PatchAsync(string mediaType, string body)
    {
        using var response = await _http.PatchAsync(StatusPath, new StringContent(body, Encoding.UTF8, mediaType));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private string StoredVersion() => (string)_api.Get("arkevents", "team-a", "hook")!["metadata"]!["resourceVersion"]!;

    // Status values the CRD's schema admits (the stand-in prunes and validates status writes as kube-apiserver does).
    private const string Ready = """{"type":"Ready","status":"True","lastTransitionTime":"2026-11-28T08:00:00Z","reason":"Ok","message":"ok"}""";
    private const string Stalled = """{"type":"Stalled","status":"False","lastTransitionTime":"2026-11-28T08:00:00Z","reason":"Ok","message":"ok"}""";

    [Fact]
    public async Task A_json_patch_whose_test_fails_is_422_and_changes_nothing()
    {
        var version = StoredVersion();

        var (status, body) = await PatchAsync("application/json-patch+json",
            """[{"op":"test","path":"/metadata/resourceVersion","value":"1"},{"op":"add","path":"/status","value":{"firedCount":1}}]""");

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "Invalid"), (status, (string?)body["reason"]));
        Assert.Equal(version, StoredVersion());
        Assert.Null(_api.Get("arkevents", "team-a", "hook")!["status"]);
    }

    [Fact]
    public async Task A_json_patch_whose_test_holds_is_applied_whole()
    {
        var (status, body) = await PatchAsync("application/json-patch+json",
            $$$"""[{"op":"test","path":"/metadata/resourceVersion","value":"{{{StoredVersion()}}}"},{"op":"add","path":"/status","value":{"firedCount":1,"conditions":[{{{Ready}}}]}},{"op":"add","path":"/status/conditions/-","value":{{{Stalled}}}}]""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"firedCount":1,"conditions":[{{Ready}},{{Stalled}}]}"""), _api.Get("arkevents", "team-a", "hook")!["status"]), body.ToJsonString());
    }

    [Theory]
    [InlineData("""[{"op":"frobnicate","path":"/status"}]""")]
    [InlineData("""[{"op":"replace","path":"/status/missing","value":1}]""")]
    [InlineData("""[{"op":"remove","path":"/spec/nothing"}]""")]
    public async Task A_json_patch_that_cannot_apply_is_422(string patch)
    {
        var version = StoredVersion();

        var (status, _) = await PatchAsync("application/json-patch+json", patch);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(version, StoredVersion());
    }

    [Fact]
    public async Task A_merge_patch_on_the_status_subresource_merges_status_only()
    {
        _api.Update("arkevents", "team-a", "hook", o => o["status"] = JsonNode.Parse($$"""{"firedCount":3,"conditions":[{{Ready}},{{Stalled}}]}"""));

        var (status, _) = await PatchAsync("application/merge-patch+json", $$$"""{"spec":{"targets":[]},"status":{"firedCount":null,"conditions":[{{{Stalled}}}],"webhookURL":"http://x"}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var stored = _api.Get("arkevents", "team-a", "hook")!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"conditions":[{{Stalled}}],"webhookURL":"http://x"}"""), stored["status"]), stored["status"]!.ToJsonString());
        Assert.Single(stored["spec"]!["targets"]!.AsArray());
    }
}
