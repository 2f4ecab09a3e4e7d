using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Workflows;
using Arkonis.Model.Resources;
using Arkonis.Model.Runs;
using TaskHubSidecarService = Dapr.DurableTask.Protobuf.TaskHubSidecarService;
using Dapr.Workflow;
using DurableTask.Core.History;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using Newtonsoft.Json.Serialization;
using NSubstitute;

namespace Arkonis.Dispatcher.Tests.Workflows;

/// <summary>
/// A deploy while runs are in flight (a run waits up to an hour for its flows): the next version of
/// <see cref="FireWorkflow"/> must replay the histories today's version recorded. The SDK's patching does it
/// (dotnet-sdk <c>src/Dapr.Workflow/Versioning/WorkflowVersionTracker.cs</c>: a patch not in history is not applied on
/// replay, is applied when first reached live, and is reported in the turn's <c>version</c>), with the runtime keeping
/// the reported patches in history as daprd does (<see cref="WorkflowPatches"/>, durabletask-go
/// <c>backend/orchestration.go</c>, dapr <c>pkg/actors/targets/workflow/orchestrator/versioning.go</c>). "Deploy" here
/// is what a rollout does: the worker host stops, the runtime and its state stay, a worker with the new code connects.
/// </summary>
public sealed class FireWorkflowVersioningTests
{
    /// <summary>The history of a run of today's FireWorkflow (one target, started, waiting for its completion), recorded
    /// on the embedded runtime; ARKEVENT_RECORD_FIXTURES=1 records it again from the current code.</summary>
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Workflows", "fixtures", "fire-workflow-0.1.0.waiting.history.json");

    private const string RecordedRunId = "default-hello-recorded";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static RunInput Input(string runId) => new(
        runId, "default", "hello", "webhook", new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero),
        [new RunTarget("alpha", null)], new JsonObject { ["topic"] = "dapr" }, null, 0, 3600);

    private static FlowCompleted Succeeded(string runId) => new(
        "default", "alpha", "alpha-1", FlowPhases.Succeeded, new JsonObject { ["ok"] = true }, null,
        new DateTimeOffset(2026, 3, 1, 8, 1, 0, TimeSpan.Zero), RunIds.CorrelationId(runId, "alpha"));

    [Fact]
    public async Task An_in_flight_run_keeps_its_old_path_after_the_deploy_and_a_new_run_takes_the_patched_one()
    {
        await using var runtime = await EmbeddedDaprRuntime.StartAsync(TimeSpan.FromSeconds(1));
        await using (var today = await Worker.StartAsync<FireWorkflow>(runtime))
        {
            await today.Client.ScheduleNewWorkflowAsync(nameof(FireWorkflow), "default-hello-inflight", Input("default-hello-inflight"));
            await WaitingForCompletionAsync(runtime, "default-hello-inflight");
        }

        await using var next = await Worker.StartAsync<PatchedFireWorkflow>(runtime);
        var resumed = await next.CompleteAsync("default-hello-inflight");

        Assert.Equal(RunStatuses.Succeeded, resumed.Status);
        Assert.DoesNotContain("default-hello-inflight", next.Announced);
        Assert.Empty(runtime.Patches.Recorded("default-hello-inflight"));

        await next.Client.ScheduleNewWorkflowAsync(nameof(FireWorkflow), "default-hello-new", Input("default-hello-new"));
        await WaitingForCompletionAsync(runtime, "default-hello-new");
        var fresh = await next.CompleteAsync("default-hello-new");

        Assert.Equal(RunStatuses.Succeeded, fresh.Status);
        Assert.Contains("default-hello-new", next.Announced);
        // Recorded once, on the turn that first applied it; every later turn replayed it as applied (no stall).
        Assert.Equal([PatchedFireWorkflow.Patch], runtime.Patches.Recorded("default-hello-new"));
        Assert.Empty(runtime.Patches.Stalls);
    }

    [Fact]
    public async Task A_recorded_run_of_the_released_workflow_resumes_on_the_current_code()
    {
        await using var runtime = await EmbeddedDaprRuntime.StartAsync(TimeSpan.FromSeconds(1));
        await runtime.Histories.RestoreAsync(ReadFixture());
        await using var current = await Worker.StartAsync<FireWorkflow>(runtime);

        var result = await current.CompleteAsync(RecordedRunId);

        Assert.Equal(RunStatuses.Succeeded, result.Status);
        Assert.Equal("alpha-1", Assert.Single(result.Targets).FlowRunId);
        // The flow was started before the deploy: replay must not start it again.
        await current.Flows.DidNotReceive().StartAsync(Arg.Any<FlowStartRequest>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_recorded_run_resumes_on_the_patched_next_version_along_its_old_path()
    {
        await using var runtime = await EmbeddedDaprRuntime.StartAsync(TimeSpan.FromSeconds(1));
        await runtime.Histories.RestoreAsync(ReadFixture());
        await using var next = await Worker.StartAsync<PatchedFireWorkflow>(runtime);

        var result = await next.CompleteAsync(RecordedRunId);

        Assert.Equal(RunStatuses.Succeeded, result.Status);
        Assert.Empty(next.Announced);
        Assert.Empty(runtime.Patches.Recorded(RecordedRunId));
    }

    [Fact]
    public async Task The_next_version_without_the_patch_breaks_the_recorded_run()
    {
        await using var runtime = await EmbeddedDaprRuntime.StartAsync(TimeSpan.FromSeconds(1));
        await runtime.Histories.RestoreAsync(ReadFixture());
        await using var next = await Worker.StartAsync<UnpatchedFireWorkflow>(runtime);

        await next.Client.RaiseEventAsync(RecordedRunId, CompletionEvents.Name(RunIds.CorrelationId(RecordedRunId, "alpha")), Succeeded(RecordedRunId));
        var state = await next.Client.WaitForWorkflowCompletionAsync(RecordedRunId, true, new CancellationTokenSource(Deadline).Token);

        // The SDK pairs history with the code by task id, not by name: the new first step (id 0) is handed the recorded
        // StartFlowActivity result and cannot read it. Had the types matched, the run would have gone on with the wrong
        // data: no error is the worse failure, and the reason every change of steps goes behind a patch.
        Assert.Equal(WorkflowRuntimeStatus.Failed, state.RuntimeStatus);
        Assert.Equal("System.Text.Json.JsonException", state.FailureDetails?.ErrorType);
    }

    [Fact]
    public async Task Removing_the_patch_while_runs_that_applied_it_are_in_flight_stalls_them_as_daprd_does()
    {
        await using var runtime = await EmbeddedDaprRuntime.StartAsync(TimeSpan.FromSeconds(1));
        await using (var patched = await Worker.StartAsync<PatchedFireWorkflow>(runtime))
        {
            await patched.Client.ScheduleNewWorkflowAsync(nameof(FireWorkflow), "default-hello-patched", Input("default-hello-patched"));
            await WaitingForCompletionAsync(runtime, "default-hello-patched");
        }

        await using var cleanedUp = await Worker.StartAsync<UnpatchedFireWorkflow>(runtime);
        await cleanedUp.Client.RaiseEventAsync(
            "default-hello-patched", CompletionEvents.Name(RunIds.CorrelationId("default-hello-patched", "alpha")), Succeeded("default-hello-patched"));

        await Eventually.Until(() => !runtime.Patches.Stalls.IsEmpty, "a patch mismatch", Deadline);
        var (instance, description) = Assert.Single(runtime.Patches.Stalls);
        Assert.Equal("default-hello-patched", instance);
        Assert.Contains($"History patches: [{PatchedFireWorkflow.Patch}], current patches: []", description, StringComparison.Ordinal);
        Assert.True((await cleanedUp.Client.GetWorkflowStateAsync("default-hello-patched", false)).IsWorkflowRunning);
    }

    /// <summary>Records today's history as the fixture (only with ARKEVENT_RECORD_FIXTURES=1; otherwise checks it is one).</summary>
    [Fact]
    public async Task The_fixture_is_a_run_of_FireWorkflow_waiting_for_its_completion()
    {
        if (Environment.GetEnvironmentVariable("ARKEVENT_RECORD_FIXTURES") == "1")
        {
            await using var runtime = await EmbeddedDaprRuntime.StartAsync(TimeSpan.FromSeconds(1));
            await using var today = await Worker.StartAsync<FireWorkflow>(runtime);
            await today.Client.ScheduleNewWorkflowAsync(nameof(FireWorkflow), RecordedRunId, Input(RecordedRunId));
            var history = await WaitingForCompletionAsync(runtime, RecordedRunId);
            var source = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "Workflows", "fixtures", Path.GetFileName(Fixture));
            await File.WriteAllTextAsync(source, JsonConvert.SerializeObject(history, FixtureFormat));
            return;
        }

        var recorded = ReadFixture();
        Assert.Equal(nameof(FireWorkflow), recorded.OfType<ExecutionStartedEvent>().Single().Name);
        Assert.Equal(nameof(StartFlowActivity), recorded.OfType<TaskScheduledEvent>().Single().Name);
        Assert.Single(recorded.OfType<TaskCompletedEvent>());
        Assert.Single(recorded.OfType<TimerCreatedEvent>());
        Assert.Empty(recorded.OfType<EventRaisedEvent>());
    }

    /// <summary>The run has started its flow and waits for the completion (its deadline timer is armed).</summary>
    private static async Task<IReadOnlyList<HistoryEvent>> WaitingForCompletionAsync(EmbeddedDaprRuntime runtime, string runId)
    {
        await Eventually.Until(() => runtime.Histories.Of(runId).OfType<TimerCreatedEvent>().Any(), $"{runId} waiting for its completion", Deadline);
        return runtime.Histories.Of(runId);
    }

    private static readonly JsonSerializerSettings FixtureFormat = new()
    {
        TypeNameHandling = TypeNameHandling.Objects,
        Formatting = Formatting.Indented,
        SerializationBinder = new CoreHistoryTypes(),
    };

    private static List<HistoryEvent> ReadFixture() =>
        JsonConvert.DeserializeObject<List<HistoryEvent>>(File.ReadAllText(Fixture), FixtureFormat)!;

    /// <summary>The fixture names DurableTask.Core's history types (and their tags), and only those are read back.</summary>
    private sealed class CoreHistoryTypes : ISerializationBinder
    {
        private readonly DefaultSerializationBinder _default = new();

        public Type BindToType(string? assemblyName, string typeName) =>
            _default.BindToType(assemblyName, typeName) is var type
                && (type.Assembly == typeof(HistoryEvent).Assembly || type == typeof(Dictionary<string, string>))
                ? type
                : throw new JsonSerializationException($"{typeName} is not a DurableTask.Core history type.");

        public void BindToName(Type serializedType, out string? assemblyName, out string? typeName) =>
            _default.BindToName(serializedType, out assemblyName, out typeName);
    }

    /// <summary>A worker host: the workflow registered as FireWorkflow, its activities, and a flow runner that accepts.</summary>
    private sealed class Worker : IAsyncDisposable
    {
        private readonly IHost _host;
        private readonly GrpcChannel _channel;

        private Worker(IHost host, GrpcChannel channel)
        {
            _host = host;
            _channel = channel;
        }

        public DaprWorkflowClient Client => _host.Services.GetRequiredService<DaprWorkflowClient>();

        public IFlowRunner Flows => _host.Services.GetRequiredService<IFlowRunner>();

        public ConcurrentBag<string> Announced => _host.Services.GetRequiredService<ConcurrentBag<string>>();

        public static async Task<Worker> StartAsync<TWorkflow>(EmbeddedDaprRuntime runtime) where TWorkflow : Workflow<RunInput, RunResult>
        {
            var channel = GrpcChannel.ForAddress(runtime.GrpcEndpoint);
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(Substitute.For<IFlowRunner>());
            builder.Services.AddSingleton(Substitute.For<IRunPayloads>());
            builder.Services.AddSingleton(Substitute.For<ITriggerActivity>());
            builder.Services.AddSingleton(new ArkEventCatalog());
            builder.Services.AddSingleton(new ConcurrentBag<string>());
            builder.Services.AddDaprWorkflow(options =>
            {
                // An explicit registration wins over the generated ones: this is the code deployed under the name.
                options.RegisterWorkflow<TWorkflow>(nameof(FireWorkflow));
                options.RegisterActivity<StartFlowActivity>(nameof(StartFlowActivity));
                options.RegisterActivity<RecordRunActivity>(nameof(RecordRunActivity));
                options.RegisterActivity<AnnounceRunActivity>(nameof(AnnounceRunActivity));
            });
            builder.Services.AddSingleton(new TaskHubSidecarService.TaskHubSidecarServiceClient(channel));
            var host = builder.Build();
            await host.StartAsync();
            return new Worker(host, channel);
        }

        /// <summary>Raises the run's completion and returns its result.</summary>
        public async Task<RunResult> CompleteAsync(string runId)
        {
            await Client.RaiseEventAsync(runId, CompletionEvents.Name(RunIds.CorrelationId(runId, "alpha")), Succeeded(runId));
            using var deadline = new CancellationTokenSource(Deadline);
            var state = await Client.WaitForWorkflowCompletionAsync(runId, true, deadline.Token);
            Assert.True(state.RuntimeStatus == WorkflowRuntimeStatus.Completed, $"{runId}: {state.RuntimeStatus} {state.FailureDetails}");
            return state.ReadOutputAs<RunResult>()!;
        }

        public async ValueTask DisposeAsync()
        {
            await _host.StopAsync();
            _host.Dispose();
            _channel.Dispose();
        }
    }
}

/// <summary>The next version as the convention writes it (docs/design.md, "Changing FireWorkflow"): a new step before
/// the flows start, behind a patch, so runs recorded before it replay today's steps.</summary>
public sealed class PatchedFireWorkflow : Workflow<RunInput, RunResult>
{
    public const string Patch = "announce-run";

    public override async Task<RunResult> RunAsync(WorkflowContext context, RunInput input)
    {
        if (context.IsPatched(Patch))
        {
            await context.CallActivityAsync<bool>(nameof(AnnounceRunActivity), input.RunId);
        }
        return await new FireWorkflow().RunAsync(context, input);
    }
}

/// <summary>The same change without the patch: it rewrites the steps of every run in flight.</summary>
public sealed class UnpatchedFireWorkflow : Workflow<RunInput, RunResult>
{
    public override async Task<RunResult> RunAsync(WorkflowContext context, RunInput input)
    {
        await context.CallActivityAsync<bool>(nameof(AnnounceRunActivity), input.RunId);
        return await new FireWorkflow().RunAsync(context, input);
    }
}

/// <summary>The next version's new step: notes the run id.</summary>
public sealed class AnnounceRunActivity(ConcurrentBag<string> announced) : WorkflowActivity<string, bool>
{
    public override Task<bool> RunAsync(WorkflowActivityContext context, string input)
    {
        announced.Add(input);
        return Task.FromResult(true);
    }
}
