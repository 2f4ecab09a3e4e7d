using DurableTask.Core;
using DurableTask.Core.History;

namespace Arkonis.Embedded.Runtime;

/// <summary>
/// The durable timers of the embedded runtime's workflows (a <c>CreateTimer</c>, the deadline of a
/// <c>WaitForExternalEventAsync</c>), held the way daprd holds them: one reminder per timer on the workflow's actor
/// (dapr/dapr <c>pkg/actors/targets/workflow/orchestrator/timer.go</c>), deleted when the workflow is purged
/// (<c>cleanupWorkflowStateInternal</c> → <c>reminders.DeleteByActorID</c>); one that fires for a completed workflow
/// changes nothing. Microsoft's in-memory service instead arms a <c>Task.Delay</c> per timer that nothing cancels: it
/// holds the timer's message until the due time whatever became of the workflow (the dispatcher's wait for a flow's
/// completion is an hour by default, so an hour of every finished run's timers stayed in memory), and one that fires
/// after its workflow was purged re-creates the instance, empty. Here a workflow's timers go when it completes or is
/// purged; the ones that fire are handed to the service as due messages.
/// </summary>
public sealed class WorkflowTimers(TimeProvider time) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HashSet<Pending>> _armed = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How many timers are armed, over all workflows.</summary>
    public int Armed
    {
        get
        {
            lock (_lock)
            {
                return _armed.Values.Sum(timers => timers.Count);
            }
        }
    }

    /// <summary>How many timers the instance has armed.</summary>
    public int ArmedFor(string instanceId)
    {
        lock (_lock)
        {
            return _armed.TryGetValue(instanceId, out var timers) ? timers.Count : 0;
        }
    }

    /// <summary>Arms each timer message of the instance's turn; one already due goes to <paramref name="fire"/> at once.</summary>
    internal void Arm(string instanceId, IEnumerable<TaskMessage> messages, Action<TaskMessage> fire)
    {
        foreach (var message in messages)
        {
            var due = message.Event is TimerFiredEvent timer ? timer.FireAt - time.GetUtcNow().UtcDateTime : TimeSpan.Zero;
            if (due <= TimeSpan.Zero)
            {
                fire(message);
                continue;
            }
            var pending = new Pending(instanceId, message, fire);
            lock (_lock)
            {
                if (!_armed.TryGetValue(instanceId, out var timers))
                {
                    _armed[instanceId] = timers = [];
                }
                timers.Add(pending);
                pending.Timer = time.CreateTimer(_ => Fire(pending), null, due, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Drops every timer the instance has armed (it completed, or was purged).</summary>
    internal void Disarm(string instanceId)
    {
        HashSet<Pending>? timers;
        lock (_lock)
        {
            _armed.Remove(instanceId, out timers);
        }
        foreach (var pending in timers ?? [])
        {
            pending.Timer?.Dispose();
        }
    }

    public void Dispose()
    {
        Pending[] all;
        lock (_lock)
        {
            all = [.. _armed.Values.SelectMany(timers => timers)];
            _armed.Clear();
        }
        foreach (var pending in all)
        {
            pending.Timer?.Dispose();
        }
    }

    private void Fire(Pending pending)
    {
        lock (_lock)
        {
            // Disarmed meanwhile: the workflow is over and the timer with it.
            if (!_armed.TryGetValue(pending.InstanceId, out var timers) || !timers.Remove(pending))
            {
                return;
            }
            if (timers.Count == 0)
            {
                _armed.Remove(pending.InstanceId);
            }
        }
        pending.Timer?.Dispose();
        pending.Fire(pending.Message);
    }

    private sealed class Pending(string instanceId, TaskMessage message, Action<TaskMessage> fire)
    {
        public string InstanceId { get; } = instanceId;

        public TaskMessage Message { get; } = message;

        public Action<TaskMessage> Fire { get; } = fire;

        public ITimer? Timer { get; set; }
    }
}
