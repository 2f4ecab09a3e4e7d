using System.Collections.Concurrent;
using DurableTask.Core;
using DurableTask.Core.History;
using Microsoft.DurableTask.Testing.Sidecar;

namespace Arkonis.Embedded.Runtime;

/// <summary>
/// Each run's history as the durable-task server keeps it (DurableTask.Core events, the server's own store format),
/// to read and to restore. The in-process server leaves <c>GetInstanceHistory</c> unimplemented (reference/dapr.md);
/// a test that replays a recorded run against a workflow's next version needs both: record today's history, restore
/// it into a fresh runtime, let a worker with the new code pick it up. A purged instance's history goes with it, as
/// daprd's purge deletes it (<see cref="DaprdBehaviour"/>).
/// </summary>
public sealed class WorkflowHistories(InMemoryOrchestrationService service, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, HistoryEvent[]> _latest = new(StringComparer.Ordinal);

    /// <summary>The instance's history as of its last completed turn; empty when it never ran here.</summary>
    public IReadOnlyList<HistoryEvent> Of(string instanceId) => _latest.TryGetValue(instanceId, out var events) ? events : [];

    /// <summary>
    /// Stores <paramref name="history"/> as an instance of its own (ids from its ExecutionStarted event), waiting for
    /// its next event as it was when recorded. Timers pending in it are not re-armed: their times have passed.
    /// </summary>
    public async Task RestoreAsync(IReadOnlyList<HistoryEvent> history)
    {
        var state = new OrchestrationRuntimeState();
        foreach (var e in history)
        {
            state.AddEvent(e);
        }
        var instance = state.OrchestrationInstance
            ?? throw new ArgumentException("A history starts with its ExecutionStarted event.", nameof(history));
        var status = new OrchestrationState
        {
            OrchestrationInstance = instance,
            Name = state.Name,
            Input = state.Input,
            Status = state.Status,
            OrchestrationStatus = state.OrchestrationStatus,
            CreatedTime = state.CreatedTime,
            LastUpdatedTime = time.GetUtcNow().UtcDateTime,
        };
        var workItem = new TaskOrchestrationWorkItem { InstanceId = instance.InstanceId, OrchestrationRuntimeState = state, NewMessages = [] };
        await service.CompleteTaskOrchestrationWorkItemAsync(workItem, state, [], [], [], null!, status);
        Saved(state);
    }

    internal void Saved(OrchestrationRuntimeState state) => _latest[state.OrchestrationInstance!.InstanceId] = [.. state.Events];

    /// <summary>How many instances' histories are held.</summary>
    public int Count => _latest.Count;

    /// <summary>The instances whose history is held.</summary>
    internal IReadOnlyList<string> InstanceIds() => [.. _latest.Keys];

    internal void Forget(string instanceId) => _latest.TryRemove(instanceId, out _);
}
