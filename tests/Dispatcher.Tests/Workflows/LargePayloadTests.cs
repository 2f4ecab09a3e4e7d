using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Harness;
using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Dispatcher.Tests.Workflows;

/// <summary>
/// A body the API accepts must never wedge the workflow worker. The worker receives each work item (the run's whole
/// history plus its new events) as one gRPC message, and gRPC clients refuse messages above 4 MB unless told otherwise
/// (grpc-dotnet <c>src/Grpc.Net.Client/GrpcChannelOptions.cs</c>, <c>MaxReceiveMessageSize</c>: "Defaults to 4,194,304 (4 MB)";
/// the Dapr.Workflow worker keeps that default). This harness keeps the same default on the worker's channel
/// (<see cref="DispatcherApp"/> builds it with <c>GrpcChannel.ForAddress</c> and no size options), so a run whose history
/// outgrows 4 MB gets "ResourceExhausted: Received message exceeds the maximum configured message size" here as it
/// does against daprd, and is handed to the worker again and again.
/// </summary>
public sealed class LargePayloadTests(LargePayloadTests.Fixture app) : IClassFixture<LargePayloadTests.Fixture>
{
    public const int Targets = 10;

    public sealed class Fixture : DispatcherFixture
    {
        protected override IReadOnlyDictionary<string, string> Events => new Dictionary<string, string>(TestEvents.All)
        {
            ["wide.yaml"] = "apiVersion: arkonis.dev/v1alpha1\nkind: ArkEvent\nmetadata: { name: wide, namespace: default }\n" +
                "spec:\n  source: { type: webhook }\n  targets:\n" +
                string.Concat(Enumerable.Range(0, Targets).Select(i => $"    - pipeline: p{i}\n")),
        };

        protected override IEnumerable<string> TokenSecrets => base.TokenSecrets.Append("wide-webhook-token");
    }

    /// <summary>A JSON object of exactly <paramref name="bytes"/> UTF-8 bytes: <c>{"topic":"…","pad":"xxx…"}</c>.</summary>
    public static string Body(string topic, int bytes)
    {
        var head = "{\"topic\":\"" + topic + "\",\"pad\":\"";
        var json = new StringBuilder(bytes).Append(head).Append('x', bytes - head.Length - 2).Append("\"}").ToString();
        Assert.Equal(bytes, Encoding.UTF8.GetByteCount(json));
        return json;
    }

    private async Task<JsonObject> FireAsync(string topic)
    {
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/wide/fire", Body(topic, 1024 * 1024));
        using var response = await app.Public.SendAsync(fire);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private Task<JsonObject> FinishedAsync(string statusUrl) => DispatcherFixture.EventuallyAsync(
        async () =>
        {
            using var read = DispatcherFixture.Authorized(HttpMethod.Get, statusUrl);
            using var answer = await app.Public.SendAsync(read);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            return (await answer.Content.ReadFromJsonAsync<JsonObject>())!;
        },
        r => (string?)r["status"] is "Succeeded" or "Failed",
        TimeSpan.FromSeconds(60),
        "the large run to finish");

    [Fact]
    public async Task The_largest_accepted_body_to_many_targets_completes_with_every_output()
    {
        var accepted = await FireAsync("largest");

        var run = await FinishedAsync((string)accepted["statusUrl"]!);

        Assert.Equal("Succeeded", (string)run["status"]!);
        var targets = run["targets"]!.AsArray();
        Assert.Equal(Targets, targets.Count);
        Assert.All(targets, t =>
        {
            Assert.Equal("Succeeded", (string)t!["status"]!);
            // The flow runner echoes its input: the whole 1 MiB body comes back as each target's output.
            Assert.Equal("largest", (string)t["output"]!["echo"]!["topic"]!);
            Assert.Equal(1024 * 1024 - "{\"topic\":\"largest\",\"pad\":\"\"}".Length, ((string)t["output"]!["echo"]!["pad"]!).Length);
        });
        var starts = app.Sidecar.FlowStarts.Snapshot().Where(s => s.Request.RunId == (string)accepted["runId"]!).ToList();
        Assert.Equal(Targets, starts.Count);
        Assert.All(starts, s => Assert.Equal("largest", (string)s.Request.Input!["topic"]!));

        // The claim-check: the body and each output are stored once, keyed by the run; the run's own input and result
        // (what its history carries) stay small whatever the body and the number of targets.
        var runId = (string)accepted["runId"]!;
        var keys = app.Sidecar.State.Keys();
        Assert.Contains($"arkevent-run.{runId}.body", keys);
        Assert.Equal(Targets, keys.Count(k => k.StartsWith($"arkevent-run.{runId}.", StringComparison.Ordinal) && k.EndsWith(".result", StringComparison.Ordinal)));
        var state = await app.Services.GetRequiredService<DaprWorkflowClient>().GetWorkflowStateAsync(runId, true);
        Assert.True(state.ReadInputAs<JsonNode>()!.ToJsonString().Length < 16 * 1024, "the run's input carries the body");
        Assert.True(state.ReadOutputAs<JsonNode>()!.ToJsonString().Length < 16 * 1024, "the run's result carries the outputs");
    }

    [Fact]
    public async Task Several_large_runs_never_hold_up_small_sync_fires()
    {
        var large = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => FireAsync("large-" + i)));

        for (var i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            using var fire = DispatcherFixture.Authorized(
                HttpMethod.Post, "/triggers/default/hello/fire?mode=sync&timeout=20s", $$"""{"topic":"small-{{i}}"}""");
            using var response = await app.Public.SendAsync(fire);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonObject>();
            Assert.Equal($"small-{i}", (string)body!["output"]!["echo"]!["topic"]!);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"sync fire {i} took {clock.Elapsed}");
        }

        foreach (var accepted in large)
        {
            var run = await FinishedAsync((string)accepted["statusUrl"]!);
            Assert.Equal("Succeeded", (string)run["status"]!);
        }
    }

    [Fact]
    public async Task The_harness_enforces_the_4_MB_gRPC_message_limit()
    {
        // A message above 4 MB to the sidecar's durable-task port is refused, as daprd and the worker's channel refuse it.
        var taskHub = app.Services.GetRequiredService<Dapr.DurableTask.Protobuf.TaskHubSidecarService.TaskHubSidecarServiceClient>();
        var tooLarge = new Dapr.DurableTask.Protobuf.CreateInstanceRequest
        {
            InstanceId = "too-large",
            Name = nameof(Arkonis.Dispatcher.Workflows.FireWorkflow),
            Input = "\"" + new string('x', 4 * 1024 * 1024) + "\"",
        };

        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await taskHub.StartInstanceAsync(tooLarge));

        Assert.Equal(Grpc.Core.StatusCode.ResourceExhausted, refused.StatusCode);
    }
}
