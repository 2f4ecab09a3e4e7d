using Arkonis.Embedded.Hosting;
using Arkonis.Embedded.Runtime;
using DurableTask.Core;
using DurableTask.Core.History;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Arkonis.Embedded.Tests;

/// <summary>
/// Finished workflows are purged as daprd purges them under a Configuration's <c>spec.workflow.stateRetentionPolicy</c>
/// (dapr/dapr <c>pkg/config/configuration.go</c>, <c>WorkflowStateRetentionPolicy</c>): when a workflow reaches a
/// terminal state the orchestrator sets a retention reminder due after its status's period, else <c>anyTerminal</c>'s
/// (<c>pkg/actors/targets/workflow/orchestrator</c>, <c>handleRetention</c>); when it fires the retentioner purges the
/// workflow and lets the reminder go if the workflow is not found or not completed any more
/// (<c>pkg/actors/targets/workflow/retentioner/retentioner.go</c>). No policy: nothing is purged. Each test drives the
/// runtime's own orchestration service, the way the durable-task server commits a workflow's turns.
/// </summary>
public sealed class WorkflowRetentionTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
    private readonly InMemoryOrchestrationService _service = new(NullLoggerFactory.Instance);
    private readonly WorkflowHistories _histories;
    private readonly WorkflowTimers _timers;
    private WorkflowRetention? _retention;
    private UnthrottledOrchestrationService? _server;

    public WorkflowRetentionTests()
    {
        _histories = new WorkflowHistories(_service, _time);
        _timers = new WorkflowTimers(_time);
    }

    public void Dispose()
    {
        _retention?.Dispose();
        _timers.Dispose();
    }

    private WorkflowRetention With(WorkflowRetentionPolicy? policy)
    {
        _retention = new WorkflowRetention(_service, _histories, new WorkflowPatches(), _timers, policy, _time, NullLogger<WorkflowRetention>.Instance);
        _server = new UnthrottledOrchestrationService(_service, _histories, _timers, _retention);
        return _retention;
    }

    /// <summary>Commits a turn that leaves the workflow <paramref name="status"/> (Running: a fresh run, not finished).</summary>
    private async Task TurnAsync(string instanceId, OrchestrationStatus status, string executionId = "e1")
    {
        var state = new OrchestrationRuntimeState();
        state.AddEvent(new ExecutionStartedEvent(-1, "{}")
        {
            OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId, ExecutionId = executionId },
            Name = "ArkEventRun",
        });
        if (status != OrchestrationStatus.Running)
        {
            state.AddEvent(new ExecutionCompletedEvent(0, "{}", status));
        }
        var workItem = new TaskOrchestrationWorkItem { InstanceId = instanceId, OrchestrationRuntimeState = state, NewMessages = [] };
        await _server!.CompleteTaskOrchestrationWorkItemAsync(workItem, state, [], [], [], null!, new OrchestrationState
        {
            OrchestrationInstance = state.OrchestrationInstance,
            Name = state.Name,
            Input = state.Input,
            OrchestrationStatus = state.OrchestrationStatus,
            CreatedTime = _time.GetUtcNow().UtcDateTime,
            LastUpdatedTime = _time.GetUtcNow().UtcDateTime,
        });
    }

    private async Task<OrchestrationStatus?> StatusOf(string instanceId) =>
        (await _service.GetOrchestrationStateAsync(instanceId, false))?.FirstOrDefault()?.OrchestrationStatus;

    /// <summary>The purge runs off the timer's callback: wait for it with a deadline.</summary>
    private async Task PurgedAsync(string instanceId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await StatusOf(instanceId) is not null || _histories.Of(instanceId).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{instanceId} was not purged within 10 s");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task A_finished_run_is_purged_once_its_retention_period_has_passed_and_not_before()
    {
        var retention = With(new WorkflowRetentionPolicy(AnyTerminal: TimeSpan.FromHours(168)));
        await TurnAsync("run-1", OrchestrationStatus.Completed);
        Assert.Equal(1, retention.Pending);

        _time.Advance(TimeSpan.FromHours(167));
        Assert.Equal(OrchestrationStatus.Completed, await StatusOf("run-1"));
        Assert.NotEmpty(_histories.Of("run-1"));

        _time.Advance(TimeSpan.FromHours(1));
        await PurgedAsync("run-1");
        Assert.Equal(0, retention.Pending);
    }

    [Fact]
    public async Task A_status_of_its_own_period_wins_over_any_terminal()
    {
        With(new WorkflowRetentionPolicy(AnyTerminal: TimeSpan.FromHours(168), Failed: TimeSpan.FromHours(1), Terminated: TimeSpan.Zero));
        await TurnAsync("completed", OrchestrationStatus.Completed);
        await TurnAsync("failed", OrchestrationStatus.Failed);
        await TurnAsync("terminated", OrchestrationStatus.Terminated);

        _time.Advance(TimeSpan.Zero);
        await PurgedAsync("terminated");
        Assert.Equal(OrchestrationStatus.Failed, await StatusOf("failed"));

        _time.Advance(TimeSpan.FromHours(1));
        await PurgedAsync("failed");
        Assert.Equal(OrchestrationStatus.Completed, await StatusOf("completed"));
    }

    [Fact]
    public async Task Without_a_policy_finished_runs_are_kept()
    {
        var retention = With(null);
        await TurnAsync("run-1", OrchestrationStatus.Completed);

        _time.Advance(TimeSpan.FromDays(365));

        Assert.Equal(0, retention.Pending);
        Assert.Equal(OrchestrationStatus.Completed, await StatusOf("run-1"));
    }

    [Fact]
    public async Task A_period_for_other_statuses_only_keeps_the_rest()
    {
        var retention = With(new WorkflowRetentionPolicy(Failed: TimeSpan.FromHours(1)));
        await TurnAsync("run-1", OrchestrationStatus.Completed);

        _time.Advance(TimeSpan.FromDays(30));

        Assert.Equal(0, retention.Pending);
        Assert.Equal(OrchestrationStatus.Completed, await StatusOf("run-1"));
    }

    [Fact]
    public async Task A_run_started_again_under_the_same_id_is_not_purged_by_the_earlier_runs_reminder()
    {
        var retention = With(new WorkflowRetentionPolicy(AnyTerminal: TimeSpan.FromHours(1)));
        await TurnAsync("run-1", OrchestrationStatus.Completed);
        await TurnAsync("run-1", OrchestrationStatus.Running, executionId: "e2");

        _time.Advance(TimeSpan.FromHours(2));

        // Neither the run nor what the runtime keeps beside it (its recorded history) goes.
        Assert.Equal(OrchestrationStatus.Running, await StatusOf("run-1"));
        Assert.NotEmpty(_histories.Of("run-1"));
        Assert.Equal(0, retention.Pending);
    }

    [Fact]
    public async Task A_run_purged_through_the_API_leaves_no_pending_purge()
    {
        var retention = With(new WorkflowRetentionPolicy(AnyTerminal: TimeSpan.FromHours(168)));
        await TurnAsync("run-1", OrchestrationStatus.Completed);
        await ((IOrchestrationServicePurgeClient)_service).PurgeInstanceStateAsync("run-1");

        // What the purge interceptor does after the server's purge (DaprdInterceptor.ForgetPurgedAsync).
        retention.Forget("run-1");

        Assert.Equal(0, retention.Pending);
        Assert.Empty(_histories.Of("run-1"));
    }

    [Fact]
    public void The_checkouts_configuration_keeps_finished_runs_a_week()
    {
        var layout = new RepositoryLayout(Repo.Root);

        Assert.Equal(new WorkflowRetentionPolicy(AnyTerminal: TimeSpan.FromHours(168)), DaprConfigurationFile.ReadRetention(layout.ConfigurationFile));
    }

    [Fact]
    public void A_configuration_sets_each_terminal_status_and_a_missing_one_or_a_missing_policy_keeps_runs()
    {
        var folder = Directory.CreateTempSubdirectory("arkevent-retention-");
        try
        {
            var full = Path.Combine(folder.FullName, "full.yaml");
            File.WriteAllText(full, """
                apiVersion: dapr.io/v1alpha1
                kind: Configuration
                metadata:
                  name: wfpolicy
                spec:
                  workflow:
                    stateRetentionPolicy:
                      anyTerminal: "5s"
                      completed: "0s"
                      failed: 1h30m
                      terminated: 999h
                """);
            var none = Path.Combine(folder.FullName, "none.yaml");
            File.WriteAllText(none, """
                apiVersion: dapr.io/v1alpha1
                kind: Configuration
                metadata:
                  name: tracing-only
                spec:
                  tracing:
                    samplingRate: "1"
                """);

            Assert.Equal(
                new WorkflowRetentionPolicy(TimeSpan.FromSeconds(5), TimeSpan.Zero, TimeSpan.FromMinutes(90), TimeSpan.FromHours(999)),
                DaprConfigurationFile.ReadRetention(full));
            Assert.Null(DaprConfigurationFile.ReadRetention(none));
            Assert.Null(DaprConfigurationFile.ReadRetention(Path.Combine(folder.FullName, "missing.yaml")));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("168h", 168 * 3600_000.0)]
    [InlineData("30m", 30 * 60_000.0)]
    [InlineData("1h30m", 90 * 60_000.0)]
    [InlineData("1.5h", 90 * 60_000.0)]
    [InlineData("500ms", 500.0)]
    [InlineData("0s", 0.0)]
    [InlineData("0", 0.0)]
    public void Durations_are_read_as_Go_reads_them(string text, double milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), DaprConfigurationFile.ParseGoDuration(text));
    }

    [Theory]
    [InlineData("168")]
    [InlineData("7d")]
    [InlineData("")]
    public void A_duration_without_a_Go_unit_is_refused(string text)
    {
        Assert.Throws<FormatException>(() => DaprConfigurationFile.ParseGoDuration(text));
    }

    [Fact]
    public async Task The_runtime_applies_the_configuration_it_is_given()
    {
        var layout = new RepositoryLayout(Repo.Root);
        await using (var configured = await EmbeddedDaprRuntime.StartAsync(new EmbeddedRuntimeOptions { ConfigurationFile = layout.ConfigurationFile }))
        {
            Assert.Equal(TimeSpan.FromHours(168), configured.Retention.Policy?.AnyTerminal);
        }
        await using var bare = await EmbeddedDaprRuntime.StartAsync(new EmbeddedRuntimeOptions());
        Assert.Null(bare.Retention.Policy);
    }
}
