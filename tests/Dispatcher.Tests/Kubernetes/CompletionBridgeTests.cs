using Arkonis.Dispatcher.Tests.Harness;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using NSubstitute;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>The completion bridge and run history: one flow-completed per finished ArkFlow, across leader changes.</summary>
public sealed class CompletionBridgeTests
{
    private static JsonObject Run(string name, string ev = "hook", string pipeline = "research-flow") => new()
    {
        ["apiVersion"] = "arkonis.dev/v1alpha1",
        ["kind"] = "ArkFlow",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = "team-a",
            ["labels"] = new JsonObject { ["arkonis.dev/event"] = ev, ["arkonis.dev/pipeline"] = pipeline },
            ["annotations"] = new JsonObject
            {
                ["arkonis.dev/run-id"] = $"team-a.{ev}.run.{name}",
                ["arkonis.dev/correlation-id"] = $"corr-{name}",
                ["arkonis.dev/chain-depth"] = "2",
            },
        },
        ["spec"] = new JsonObject { ["steps"] = new JsonArray() },
    };

    private static void Finish(KubeApiStandIn api, string name, string phase, int second, string? output = null) =>
        api.Update("arkflows", "team-a", name, o => o["status"] = new JsonObject
        {
            ["phase"] = phase,
            ["completionTime"] = $"2026-11-28T12:00:{second:00}Z",
            ["output"] = output,
            ["conditions"] = phase == "Failed"
                ? new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "False", ["reason"] = "StepFailed", ["message"] = "step search failed" })
                : new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True", ["reason"] = "Succeeded" }),
        });

    private static bool Marked(KubeApiStandIn api, string name) =>
        (string?)api.Get("arkflows", "team-a", name)?["metadata"]?["annotations"]?["arkonis.dev/completion-published"] == "true";

    [Fact]
    public async Task A_finished_flow_is_published_once_with_its_template_output_error_and_correlation()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Webhook("hook"));
        api.Seed("arkflows", Run("research-flow-aaa"));
        api.Seed("arkflows", Run("research-flow-bbb"));
        await using var replica = await Replica.StartAsync(api, "pod-a");
        await Eventually.Until(() => replica.Leadership.IsLeader && api.OpenWatches("arkflows") == 1, "leader watching flows");

        api.Update("arkflows", "team-a", "research-flow-aaa", o => o["status"] = new JsonObject { ["phase"] = "Running" });
        Finish(api, "research-flow-aaa", "Succeeded", 5, output: "the answer");
        Finish(api, "research-flow-bbb", "Failed", 7);
        await Eventually.Until(() => Marked(api, "research-flow-aaa") && Marked(api, "research-flow-bbb"), "both marked");

        // Later changes to a finished flow publish nothing more.
        api.Update("arkflows", "team-a", "research-flow-aaa", o => o["metadata"]!["labels"]!["extra"] = "1");
        api.Seed("arkflows", Run("research-flow-ccc"));
        Finish(api, "research-flow-ccc", "Succeeded", 9);
        await Eventually.Until(() => Marked(api, "research-flow-ccc"), "third marked");

        var messages = replica.Published.ToList();
        Assert.Equal(3, messages.Count);
        Assert.Equal(3, messages.Select(m => m.RunId).Distinct().Count());
        var ok = messages.Single(m => m.RunId == "research-flow-aaa");
        Assert.Equal("team-a", ok.Namespace);
        Assert.Equal("research-flow", ok.Flow);
        Assert.Equal("Succeeded", ok.Phase);
        Assert.Equal("the answer", ok.Output?.GetValue<string>());
        Assert.Null(ok.Error);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 12, 0, 5, TimeSpan.Zero), ok.CompletedAt);
        Assert.Equal("corr-research-flow-aaa", ok.CorrelationId);
        Assert.Equal(2, ok.ChainDepth);
        var failed = messages.Single(m => m.RunId == "research-flow-bbb");
        Assert.Equal("Failed", failed.Phase);
        Assert.Equal("StepFailed: step search failed", failed.Error);
        _ = replica.Dapr.Received(3).PublishEventAsync("arkevent-pubsub", "flow-completed", Arg.Any<FlowCompleted>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Exactly_one_message_per_finished_flow_across_a_leader_change()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        var ev = Fixtures.Webhook("hook");
        ev["spec"]!["successfulRunsHistoryLimit"] = 20; // keep them all: this test is about publishing
        ev["spec"]!["failedRunsHistoryLimit"] = 20;
        api.Seed("arkevents", ev);
        var names = Enumerable.Range(0, 12).Select(i => $"research-flow-{i:00}").ToList();
        foreach (var name in names)
        {
            api.Seed("arkflows", Run(name));
        }
        var a = await Replica.StartAsync(api, "pod-a");
        await Eventually.Until(() => a.Leadership.IsLeader && api.OpenWatches("arkflows") == 1, "a leads");
        await using var b = await Replica.StartAsync(api, "pod-b");

        // Half finish under a, the rest during and after the hand-over.
        for (var i = 0; i < 6; i++)
        {
            Finish(api, names[i], "Succeeded", i);
        }
        await Eventually.Until(() => names.Take(6).All(n => Marked(api, n)), "first half published by a");
        await a.DisposeAsync();
        for (var i = 6; i < 12; i++)
        {
            Finish(api, names[i], i % 2 == 0 ? "Succeeded" : "Failed", i);
        }
        await Eventually.Until(() => b.Leadership.IsLeader, "b takes over", TimeSpan.FromSeconds(10));
        await Eventually.Until(() => names.All(n => Marked(api, n)), "second half published by b");

        var all = a.Published.Concat(b.Published).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), all.Select(m => m.RunId).Order(StringComparer.Ordinal));
        Assert.Equal(6, a.Published.Count);
        Assert.Equal(6, b.Published.Count);
    }

    [Fact]
    public async Task Finished_runs_past_the_history_limits_are_deleted_after_their_completion_is_published()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        var ev = Fixtures.Webhook("hook");
        ev["spec"]!["successfulRunsHistoryLimit"] = 2;
        api.Seed("arkevents", ev);
        api.Seed("arkevents", Fixtures.Webhook("other")); // default limits: 3 succeeded, 1 failed
        for (var i = 0; i < 5; i++)
        {
            api.Seed("arkflows", Run($"s{i}"));
            api.Seed("arkflows", Run($"o{i}", ev: "other"));
        }
        api.Seed("arkflows", Run("f0"));
        api.Seed("arkflows", Run("f1"));
        api.Seed("arkflows", Run("running"));
        await using var replica = await Replica.StartAsync(api, "pod-a");
        await Eventually.Until(() => replica.Leadership.IsLeader && api.OpenWatches("arkflows") == 1, "leader watching flows");

        for (var i = 0; i < 5; i++)
        {
            Finish(api, $"s{i}", "Succeeded", 10 + i);
            Finish(api, $"o{i}", "Succeeded", 10 + i);
        }
        Finish(api, "f0", "Failed", 20);
        Finish(api, "f1", "Failed", 21);

        string[] keptOfHook = ["f1", "running", "s3", "s4"];
        string[] keptOfOther = ["o2", "o3", "o4"];
        await Eventually.Until(() => Names(api, "hook").SequenceEqual(keptOfHook) && Names(api, "other").SequenceEqual(keptOfOther), "history pruned");
        Assert.Equal(12, replica.Published.Count); // every finished run was published before it went
        Assert.Equal(12, replica.Published.Select(m => m.RunId).Distinct().Count());
    }

    [Fact]
    public async Task When_marking_fails_the_same_leader_retries_the_mark_without_publishing_again()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Webhook("hook"));
        api.Seed("arkflows", Run("research-flow-aaa"));
        await using var replica = await Replica.StartAsync(api, "pod-a");
        await Eventually.Until(() => replica.Leadership.IsLeader && api.OpenWatches("arkflows") == 1, "leader watching flows");

        api.FailWith = r => r.Method == "PATCH" && r.Path.Value!.Contains("/arkflows/", StringComparison.Ordinal) ? System.Net.HttpStatusCode.InternalServerError : null;
        Finish(api, "research-flow-aaa", "Succeeded", 1);
        await Eventually.Until(() => api.Requests.Any(r => r.Method == "PATCH" && r.Status == 500), "mark refused");
        Assert.Single(replica.Published);

        api.FailWith = null;
        api.Update("arkflows", "team-a", "research-flow-aaa", o => o["metadata"]!["labels"]!["nudge"] = "1"); // any later event for the flow
        await Eventually.Until(() => Marked(api, "research-flow-aaa"), "marked on retry");
        Assert.Single(replica.Published);
    }

    [Fact]
    public async Task When_publishing_fails_the_leader_retries_on_its_own_without_a_later_event()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Webhook("hook"));
        api.Seed("arkflows", Run("research-flow-aaa"));
        await using var replica = await Replica.StartAsync(api, "pod-a");
        var attempts = 0;
        replica.Dapr.PublishEventAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<FlowCompleted>(), Arg.Any<CancellationToken>())
            .Returns(call =>
            {
                if (Interlocked.Increment(ref attempts) <= 2)
                {
                    return Task.FromException(new HttpRequestException("sidecar away"));
                }
                replica.Published.Enqueue(call.ArgAt<FlowCompleted>(2));
                return Task.CompletedTask;
            });
        await Eventually.Until(() => replica.Leadership.IsLeader && api.OpenWatches("arkflows") == 1, "leader watching flows");

        // The finished flow produces one watch event and then none: only a retry can publish it.
        Finish(api, "research-flow-aaa", "Succeeded", 1);
        await Eventually.Until(() => Marked(api, "research-flow-aaa"), "published and marked after the sidecar came back");

        Assert.Equal(3, Volatile.Read(ref attempts));
        Assert.Equal("research-flow-aaa", Assert.Single(replica.Published).RunId);
    }

    private static string[] Names(KubeApiStandIn api, string ev) =>
        [.. api.List("arkflows", "team-a", $"arkonis.dev/event={ev}").Select(o => (string)o["metadata"]!["name"]!).Order(StringComparer.Ordinal)];
}
