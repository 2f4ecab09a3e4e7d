using System.Text;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Model.Runs;
using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Arkonis.Dispatcher.Tests.Faults;

/// <summary>
/// One flow completion delivered again and again, at once and spread over time, under each delivery the embedded
/// runtime models (src/Embedded/Runtime/PubSubDelivery.cs: <c>pubsub.in-memory</c> alone, with
/// <c>components/resiliency.yaml</c>, and <c>pubsub.redis</c>, whose reclaim loop redelivers a message still being
/// handled after <c>processingTimeout</c>; components-contrib pubsub/in-memory/in-memory.go and pubsub/redis). Both
/// kinds of completion are stormed: an upstream flow's (it fires a flow-output ArkEvent: one downstream run per
/// upstream run, src/Dispatcher/Triggers/FlowOutput/FlowOutputTrigger.cs) and a run target's own (an external event
/// to its workflow, raised again after the run ended). Every delivery is acknowledged, one downstream run exists, its
/// flow started once, and the dispatcher logs no error.
/// </summary>
public sealed class RedeliveryStormTests
{
    private const int AtOnce = 30;
    private const int SameIdAtOnce = 15;
    private const int OverTime = 10;

    public static TheoryData<string> Deliveries => ["in-memory", "in-memory+resiliency", "redis"];

    private static PubSubDelivery DeliveryOf(string name) => name switch
    {
        "in-memory" => PubSubDelivery.InMemoryOnly,
        "in-memory+resiliency" => PubSubDelivery.LocalRun,
        // Short enough that messages still being handled are reclaimed and delivered again during the storm.
        "redis" => new PubSubDelivery
        {
            Component = PubSubComponentType.Redis,
            ProcessingTimeout = TimeSpan.FromMilliseconds(150),
            RedeliverInterval = TimeSpan.FromMilliseconds(50),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static IReadOnlyDictionary<string, string> Events => new Dictionary<string, string>(TestEvents.All)
    {
        ["after-upstream.yaml"] = """
            apiVersion: arkonis.dev/v1alpha1
            kind: ArkEvent
            metadata: { name: after-upstream, namespace: default }
            spec:
              source: { type: flow-output, flow: storm-upstream }
              targets:
                - pipeline: storm-downstream
                  input:
                    n: "{{ .trigger.output.n }}"
            """,
    };

    [Theory]
    [MemberData(nameof(Deliveries))]
    public async Task A_completion_delivered_many_times_starts_one_downstream_run_and_is_always_acknowledged(string delivery)
    {
        await using var host = await FaultHost.StartAsync(Events, pubSub: DeliveryOf(delivery));
        var pubSub = host.Runtime.PubSub;
        var upstream = new JsonObject
        {
            ["namespace"] = "default",
            ["flow"] = "storm-upstream",
            ["runId"] = "storm-upstream-1",
            ["phase"] = "Succeeded",
            ["output"] = new JsonObject { ["n"] = 7 },
            ["completedAt"] = DateTimeOffset.UtcNow.ToString("O"),
        };
        var runId = RunIds.ForFlowOutput("default", "after-upstream", "storm-upstream-1");

        // At once: many publishes of the completion (a publisher retrying), and one message id delivered many times.
        await Task.WhenAll(
            Enumerable.Range(0, AtOnce).Select(_ => PublishAsync(pubSub, upstream))
                .Concat(Enumerable.Range(0, SameIdAtOnce).Select(_ => pubSub.DeliverOnceAsync(
                    "arkevent-pubsub", "flow-completed", upstream.DeepClone(), id: "storm-same-id")))
                .ToArray());
        // Over time: some before the downstream run ends, some after.
        for (var i = 0; i < OverTime; i++)
        {
            await PublishAsync(pubSub, upstream);
            await Task.Delay(100);
        }
        var workflows = host.App!.Services.GetRequiredService<DaprWorkflowClient>();
        await DispatcherFixture.EventuallyAsync(() => workflows.GetWorkflowStateAsync(runId, false),
            s => s is { RuntimeStatus: WorkflowRuntimeStatus.Completed }, TimeSpan.FromSeconds(15), "the downstream run to complete");

        // The downstream target's own completion, stormed after its run ended.
        var downstream = Assert.Single(host.Runtime.FlowStarts.AcceptedRuns(), a => a.CorrelationId == RunIds.CorrelationId(runId, "storm-downstream"));
        var targetCompletion = new JsonObject
        {
            ["namespace"] = "default",
            ["flow"] = "storm-downstream",
            ["runId"] = downstream.FlowRunId,
            ["phase"] = "Succeeded",
            ["output"] = new JsonObject { ["late"] = true },
            ["completedAt"] = DateTimeOffset.UtcNow.ToString("O"),
            ["correlationId"] = downstream.CorrelationId,
        };
        await Task.WhenAll(Enumerable.Range(0, AtOnce).Select(_ => PublishAsync(pubSub, targetCompletion)));

        // Sent: the deliveries made directly, one flow runner completion per flow, and every published copy.
        var published = AtOnce + OverTime + AtOnce + 1;
        await Eventually.Until(() => pubSub.Deliveries.Select(d => d.Id).Distinct().Count() >= published + 1 && pubSub.Pending.Count == 0,
            $"every message delivered and settled ({delivery})", TimeSpan.FromSeconds(15));

        var deliveries = pubSub.Deliveries.ToArray();
        Assert.All(deliveries, d => Assert.Equal((200, "SUCCESS"), (d.HttpStatus, d.Reply)));
        Assert.Equal(["created"], host.Runtime.Daprd.Starts.Where(s => s.InstanceId == runId).Select(s => s.Outcome));
        Assert.Single(host.Runtime.FlowStarts.Snapshot(), s => s.Request.RunId == runId);
        Assert.All(host.Runtime.Daprd.Starts.Where(s => s.InstanceId.Contains("after-upstream", StringComparison.Ordinal)),
            s => Assert.Equal(runId, s.InstanceId));
        var state = await workflows.GetWorkflowStateAsync(runId, true);
        var result = state!.ReadOutputAs<Arkonis.Dispatcher.Runs.RunResult>()!;
        Assert.Equal("Succeeded", result.Status);
        Assert.Equal("7", (string?)result.Targets[0].Output!["echo"]!["n"]);
        Assert.DoesNotContain(host.Logs, l => l.Level >= LogLevel.Error);
    }

    private static Task PublishAsync(InMemoryPubSub pubSub, JsonObject completion) =>
        pubSub.PublishAsync("arkevent-pubsub", "flow-completed", Encoding.UTF8.GetBytes(completion.ToJsonString()), "application/json");
}
