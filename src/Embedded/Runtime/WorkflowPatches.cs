using Dapr.DurableTask.Protobuf;

namespace Arkonis.Embedded.Runtime;

/// <summary>
/// The patches (<c>context.IsPatched("name")</c>) a workflow worker applied, kept in the run's history as daprd keeps
/// them. Microsoft's in-process server has no place for them (its <c>OrchestratorResponse</c> uses the number of Dapr's
/// <c>version</c> field for another type, <see cref="ReusedProtoFields"/>, and its <c>OrchestratorStartedEvent</c> has
/// no field), so this runtime holds them beside the server and writes them into every work item it sends:
/// <list type="bullet">
/// <item>The worker reports a turn's applied patches in <c>WorkflowResponse.version</c>; the backend stamps that version
/// on the turn's first <c>WorkflowStarted</c> (OrchestratorStarted) event (dapr/durabletask-go
/// <c>backend/orchestration.go</c>, <c>ProcessWorkItem</c>).</item>
/// <item>daprd then keeps only the patches history does not already hold (dapr/dapr
/// <c>pkg/actors/targets/workflow/orchestrator/versioning.go</c>, <c>compactPatches</c>), so each patch is recorded once,
/// on the turn that first applied it.</item>
/// <item>Before that, the patches of all earlier turns must be a prefix of what the worker reported; otherwise daprd
/// stalls the run (<c>hasPatchMismatch</c> → <c>stallWorkflow</c>: the turn's events and actions are dropped, an
/// ExecutionStalled event is added, the status is STALLED and the run waits for a worker that matches). It does not
/// fail it. Here the turn's actions are dropped and the run stays Running without progress; <see cref="Stalls"/> says
/// why.</item>
/// <item>The Dapr.Workflow SDK reads them back from every <c>WorkflowStarted.version.patches</c> of the past events
/// (dotnet-sdk <c>src/Dapr.Workflow/Versioning/WorkflowVersionTracker.cs</c>): a patch in history is applied on replay;
/// one that is not is applied only when first reached outside replay, so a run recorded before the patch keeps its
/// old path and a new run takes the new one.</item>
/// </list>
/// A turn is identified by the ordinal of its WorkflowStarted event in the execution's history (the server adds one at
/// the head of every turn's new events, and keeps one work item in flight per instance).
/// </summary>
public sealed class WorkflowPatches
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Turn> _inFlight = new(StringComparer.Ordinal);
    /// <summary>Per instance, its latest execution's patches by turn; only instances that applied one have an entry.</summary>
    private readonly Dictionary<string, Execution> _recorded = new(StringComparer.Ordinal);

    /// <summary>Runs daprd would have stalled for a patch mismatch: instance id and daprd's description.</summary>
    public RecentQueue<(string InstanceId, string Description)> Stalls { get; } = new();

    /// <summary>The patches recorded in the history of the instance's latest execution, in order.</summary>
    public IReadOnlyList<string> Recorded(string instanceId)
    {
        lock (_lock)
        {
            return _recorded.TryGetValue(instanceId, out var execution) ? [.. execution.Turns.Values.SelectMany(p => p)] : [];
        }
    }

    /// <summary>How many instances have patches recorded.</summary>
    public int InstancesRecorded
    {
        get
        {
            lock (_lock)
            {
                return _recorded.Count;
            }
        }
    }

    /// <summary>The instance was purged: its history, and so its patches, are gone.</summary>
    internal void Forget(string instanceId)
    {
        lock (_lock)
        {
            _recorded.Remove(instanceId);
            _inFlight.Remove(instanceId);
        }
    }

    /// <summary>A work item on its way to the worker: past turns get their patches; the turn it starts is remembered.</summary>
    internal void Dispatching(WorkItem item)
    {
        if (item.WorkflowRequest is not { } request)
        {
            return;
        }
        lock (_lock)
        {
            // Dapr.Workflow 1.19 has no history streaming (no StreamInstanceHistory in its protos): the past events are here.
            var pastTurns = Stamp(request.InstanceId, request.ExecutionId, request.PastEvents);
            _inFlight[request.InstanceId] = new Turn(request.ExecutionId, pastTurns, request.NewEvents.Any(e => e.WorkflowStarted is not null));
        }
    }

    /// <summary>
    /// The worker's answer for the turn in flight: records the patches it applied for the first time; returns false
    /// (the turn must not be applied) when they contradict the patches already recorded.
    /// </summary>
    internal bool Completed(WorkflowResponse response)
    {
        lock (_lock)
        {
            if (!_inFlight.Remove(response.InstanceId, out var turn) || !turn.Starts)
            {
                return true;
            }
            var ordinal = turn.Ordinal;
            if (_recorded.TryGetValue(response.InstanceId, out var execution) && execution.Id != turn.ExecutionId)
            {
                // A new execution (daprd re-creates a completed instance): the old one's patches are not its history.
                _recorded.Remove(response.InstanceId);
                execution = null;
            }
            var history = execution?.Turns.Where(t => t.Key < ordinal).SelectMany(t => t.Value).ToList() ?? [];
            string[] reported = [.. response.Version?.Patches ?? []];
            if (history.Count > 0 && !(reported.Length >= history.Count && history.SequenceEqual(reported.Take(history.Count))))
            {
                Stalls.Add((response.InstanceId,
                    $"Patch mismatch. History patches: [{string.Join(", ", history)}], current patches: [{string.Join(", ", reported)}]."));
                return false;
            }
            // The worker reports every patch it applied in the turn, replayed ones included: keep the new ones only.
            var inHistory = history.CountBy(p => p, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
            var added = new List<string>();
            foreach (var patch in reported)
            {
                if (inHistory.TryGetValue(patch, out var left) && left > 0)
                {
                    inHistory[patch] = left - 1;
                }
                else
                {
                    added.Add(patch);
                }
            }
            if (added.Count > 0)
            {
                execution ??= _recorded[response.InstanceId] = new Execution(turn.ExecutionId, []);
                execution.Turns[ordinal] = [.. added];
            }
            return true;
        }
    }

    /// <summary>Writes the recorded patches on each WorkflowStarted event; returns how many there are.</summary>
    private int Stamp(string instanceId, string executionId, IEnumerable<HistoryEvent> events)
    {
        var turns = _recorded.TryGetValue(instanceId, out var execution) && execution.Id == executionId ? execution.Turns : null;
        var ordinal = 0;
        foreach (var started in events.Select(e => e.WorkflowStarted).OfType<WorkflowStartedEvent>())
        {
            if (turns is not null && turns.TryGetValue(ordinal, out var patches))
            {
                started.Version = new WorkflowVersion { Patches = { patches } };
            }
            ordinal++;
        }
        return ordinal;
    }

    private sealed record Turn(string ExecutionId, int Ordinal, bool Starts);

    private sealed record Execution(string Id, SortedDictionary<int, string[]> Turns);
}
