using Arkonis.Embedded.Runtime;
using DurableTask.Core;
using DurableTask.Core.History;
using Microsoft.Extensions.Time.Testing;

namespace Arkonis.Embedded.Tests;

/// <summary>
/// The workflows' durable timers are held as daprd holds them, one reminder per timer that goes with the workflow
/// (dapr/dapr <c>pkg/actors/targets/workflow/orchestrator/timer.go</c> creates it; <c>cleanupWorkflowStateInternal</c>
/// deletes a purged workflow's reminders with <c>reminders.DeleteByActorID</c>), not as Microsoft's in-memory service
/// holds them (an uncancellable delay per timer until its due time). End to end: Dispatcher.Tests <c>RetentionTests</c>.
/// </summary>
public sealed class WorkflowTimersTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
    private readonly List<TaskMessage> _fired = [];
    private readonly WorkflowTimers _timers;

    public WorkflowTimersTests() => _timers = new WorkflowTimers(_time);

    private TaskMessage Timer(string instanceId, TimeSpan after) => new()
    {
        OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId, ExecutionId = "e1" },
        Event = new TimerFiredEvent(-1) { TimerId = 1, FireAt = _time.GetUtcNow().UtcDateTime + after },
    };

    private void Arm(string instanceId, TimeSpan after) => _timers.Arm(instanceId, [Timer(instanceId, after)], _fired.Add);

    [Fact]
    public void A_timer_reaches_its_workflow_at_its_due_time_and_not_before()
    {
        Arm("run-1", TimeSpan.FromMinutes(5));
        Assert.Equal(1, _timers.ArmedFor("run-1"));

        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.Empty(_fired);

        _time.Advance(TimeSpan.FromMinutes(1));
        var fired = Assert.Single(_fired);
        Assert.Equal("run-1", fired.OrchestrationInstance.InstanceId);
        Assert.Equal(0, _timers.Armed);
    }

    [Fact]
    public void A_timer_already_due_goes_at_once()
    {
        Arm("run-1", TimeSpan.Zero);

        Assert.Single(_fired);
        Assert.Equal(0, _timers.Armed);
    }

    [Fact]
    public void The_timers_of_workflows_that_ended_are_not_held_and_never_fire()
    {
        for (var i = 0; i < 1_000; i++)
        {
            Arm($"run-{i}", TimeSpan.FromHours(1));
        }
        Arm("still-running", TimeSpan.FromHours(1));
        Assert.Equal(1_001, _timers.Armed);

        for (var i = 0; i < 1_000; i++)
        {
            _timers.Disarm($"run-{i}");
        }
        Assert.Equal(1, _timers.Armed);

        _time.Advance(TimeSpan.FromHours(2));
        Assert.Equal("still-running", Assert.Single(_fired).OrchestrationInstance.InstanceId);
        Assert.Equal(0, _timers.Armed);
    }
}
