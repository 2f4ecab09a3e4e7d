using Arkonis.Dispatcher.Tests.Harness;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Kubernetes.Flows;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>The Kubernetes flow runner: an ArkFlow made from the template, idempotent per correlation id.</summary>
public sealed class FlowRunnerTests : IAsyncLifetime
{
    private KubeApiStandIn _api = null!;
    private Replica _replica = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiStandIn.StartAsync();
        _api.Seed("arkevents", Fixtures.Webhook("hook", pipelines: "research-flow"));
        _api.Seed("arkflows", Fixtures.FlowTemplate("research-flow"));
        _replica = await Replica.StartAsync(_api, "pod-a");
        await Eventually.Until(() => _replica.Catalog.Find("team-a", "hook") is not null, "event in the catalog");
    }

    public async Task DisposeAsync()
    {
        await _replica.DisposeAsync();
        await _api.DisposeAsync();
    }

    private IFlowRunner Runner => _replica.Services.GetRequiredService<IFlowRunner>();

    private static FlowStartRequest Request(string correlationId = "team-a.hook.key.abc/research-flow") => new(
        "team-a", "research-flow", "team-a.hook.key.abc", correlationId,
        new JsonObject { ["topic"] = "quantum", ["options"] = new JsonObject { ["deep"] = true }, ["count"] = 3 },
        "hook", ChainDepth: 1);

    [Fact]
    public async Task Creates_an_arkflow_from_the_template_with_input_merged_labels_annotations_and_owner()
    {
        await Runner.StartAsync(Request(), default);

        var runs = _api.List("arkflows", "team-a", "arkonis.dev/event=hook");
        var run = Assert.Single(runs);
        var name = (string)run["metadata"]!["name"]!;
        Assert.Equal(ArkFlowRuns.NameFor("research-flow", "team-a.hook.key.abc/research-flow"), name);
        Assert.Matches("^research-flow-[0-9a-f]{10}$", name);

        var template = _api.Get("arkflows", "team-a", "research-flow")!;
        Assert.True(JsonNode.DeepEquals(template["spec"]!["steps"], run["spec"]!["steps"]));
        Assert.Equal("{{ .steps.search.output }}", (string?)run["spec"]!["output"]);
        Assert.Equal(600, (int?)run["spec"]!["timeoutSeconds"]);
        var input = run["spec"]!["input"]!.AsObject();
        Assert.Equal("quantum", (string?)input["topic"]);          // rendered value wins over the template's
        Assert.Equal("2", (string?)input["depth"]);                 // template value kept
        Assert.Equal("{\"deep\":true}", (string?)input["options"]); // nested JSON becomes JSON text
        Assert.Equal("3", (string?)input["count"]);

        var metadata = run["metadata"]!;
        Assert.Equal("hook", (string?)metadata["labels"]!["arkonis.dev/event"]);
        Assert.Equal("research-flow", (string?)metadata["labels"]!["arkonis.dev/pipeline"]);
        Assert.Null(metadata["labels"]!["team"]); // the template's own labels do not mark runs
        Assert.Equal("team-a.hook.key.abc", (string?)metadata["annotations"]!["arkonis.dev/run-id"]);
        Assert.Equal("team-a.hook.key.abc/research-flow", (string?)metadata["annotations"]!["arkonis.dev/correlation-id"]);
        Assert.Equal("1", (string?)metadata["annotations"]!["arkonis.dev/chain-depth"]);
        var owner = metadata["ownerReferences"]![0]!;
        Assert.Equal((string?)_api.Get("arkevents", "team-a", "hook")!["metadata"]!["uid"], (string?)owner["uid"]);
        Assert.Equal("ArkEvent", (string?)owner["kind"]);
        Assert.Equal("hook", (string?)owner["name"]);
    }

    [Fact]
    public async Task Starting_the_same_correlation_id_again_starts_nothing_new()
    {
        await Runner.StartAsync(Request(), default);
        await Runner.StartAsync(Request(), default); // a retried activity: 409 AlreadyExists counts as started
        Assert.Single(_api.List("arkflows", "team-a", "arkonis.dev/event=hook"));
        Assert.Equal(2, _api.CountRequests("POST", "/arkflows"));

        await Runner.StartAsync(Request("team-a.hook.key.other/research-flow"), default);
        Assert.Equal(2, _api.List("arkflows", "team-a", "arkonis.dev/event=hook").Count);
    }

    [Fact]
    public async Task A_missing_template_is_a_clear_error_and_creates_nothing()
    {
        var request = Request() with { Pipeline = "no-such-flow" };
        var error = await Assert.ThrowsAsync<FlowStartRejectedException>(() => Runner.StartAsync(request, default));
        Assert.Equal("flow template no-such-flow not found in namespace team-a", error.Message);
        Assert.Equal(0, _api.CountRequests("POST", "/arkflows"));
    }

    [Theory]
    [InlineData("research-flow", "c1")]
    [InlineData("a-very-long-pipeline-name-that-goes-on-and-on-and-on-beyond-sixty-three", "c2")]
    [InlineData("x", "c3")]
    public void Run_names_are_dns_labels_of_at_most_63_characters(string pipeline, string correlationId)
    {
        var name = ArkFlowRuns.NameFor(pipeline, correlationId);
        Assert.InRange(name.Length, 1, 63);
        Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name);
        Assert.Equal(name, ArkFlowRuns.NameFor(pipeline, correlationId));
        Assert.NotEqual(name, ArkFlowRuns.NameFor(pipeline, correlationId + "x"));
    }
}
