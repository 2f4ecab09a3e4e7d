using System.Runtime.CompilerServices;
using DurableTask.Core;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.Extensions.Logging;

namespace Arkonis.Embedded.Runtime;

/// <summary>
/// Purges a finished workflow once the Configuration's retention period for how it ended has passed, as daprd does:
/// when a workflow reaches a terminal state it sets one retention reminder for it (dapr/dapr
/// <c>pkg/actors/targets/workflow/orchestrator</c>, <c>handleRetention</c>: the status's own period, else
/// <c>anyTerminal</c>, from the completion), and when that fires the retentioner purges the workflow
/// (<c>pkg/actors/targets/workflow/retentioner/retentioner.go</c>), which changes nothing if meanwhile the workflow was
/// purged or re-created and is running again. Without a policy nothing is purged. Whatever way a workflow is purged,
/// what this runtime keeps of it beside the server goes too (<see cref="Forget"/>): its recorded history, its patches,
/// its armed timers and its pending purge.
/// </summary>
public sealed partial class WorkflowRetention(
    InMemoryOrchestrationService service,
    WorkflowHistories histories,
    WorkflowPatches patches,
    WorkflowTimers timers,
    WorkflowRetentionPolicy? policy,
    TimeProvider time,
    ILogger<WorkflowRetention> logger) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StrongBox<ITimer>> _pending = new(StringComparer.OrdinalIgnoreCase);

    public WorkflowRetentionPolicy? Policy => policy;

    /// <summary>How many finished workflows wait for their purge.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>The workflow ended (its last turn is committed): its purge is due after the period for its status.</summary>
    internal void Ended(string instanceId, OrchestrationStatus status)
    {
        if (policy?.After(status) is not { } period)
        {
            return;
        }
        var due = period < TimeSpan.Zero ? TimeSpan.Zero : period;
        lock (_lock)
        {
            // One retention reminder per workflow: a later end replaces it.
            _pending.Remove(instanceId, out var previous);
            previous?.Value?.Dispose();
            var reminder = new StrongBox<ITimer>();
            reminder.Value = time.CreateTimer(_ => _ = PurgeAsync(instanceId, reminder), null, due, Timeout.InfiniteTimeSpan);
            _pending[instanceId] = reminder;
        }
    }

    /// <summary>Drops everything this runtime keeps of a purged workflow beside the server.</summary>
    internal void Forget(string instanceId)
    {
        histories.Forget(instanceId);
        patches.Forget(instanceId);
        timers.Disarm(instanceId);
        StrongBox<ITimer>? pending;
        lock (_lock)
        {
            _pending.Remove(instanceId, out pending);
        }
        pending?.Value?.Dispose();
    }

    private async Task PurgeAsync(string instanceId, StrongBox<ITimer> reminder)
    {
        lock (_lock)
        {
            // Fired: it is no longer pending, unless a later end already replaced it.
            if (_pending.TryGetValue(instanceId, out var current) && current == reminder)
            {
                _pending.Remove(instanceId);
            }
        }
        reminder.Value?.Dispose();
        try
        {
            var state = (await service.GetOrchestrationStateAsync(instanceId, false))?.FirstOrDefault();
            // Purged meanwhile, or re-created and not finished: the reminder no longer applies (the retentioner drains it).
            if (state is { OrchestrationStatus: OrchestrationStatus.Completed or OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled })
            {
                await ((IOrchestrationServicePurgeClient)service).PurgeInstanceStateAsync(instanceId);
                histories.Forget(instanceId);
                patches.Forget(instanceId);
                timers.Disarm(instanceId);
                Purged(instanceId, state.OrchestrationStatus);
            }
        }
        catch (Exception e)
        {
            PurgeFailed(instanceId, e);
        }
    }

    public void Dispose()
    {
        StrongBox<ITimer>[] all;
        lock (_lock)
        {
            all = [.. _pending.Values];
            _pending.Clear();
        }
        foreach (var reminder in all)
        {
            reminder.Value?.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Workflow {InstanceId} ({Status}) purged: its retention period has passed")]
    private partial void Purged(string instanceId, OrchestrationStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow {InstanceId} could not be purged at the end of its retention period")]
    private partial void PurgeFailed(string instanceId, Exception exception);
}
