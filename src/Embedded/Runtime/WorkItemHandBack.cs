using System.Collections;
using System.Reflection;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;

namespace Arkonis.Embedded.Runtime;

/// <summary>
/// daprd's rule for a worker that goes away: when a <c>GetWorkItems</c> stream ends, every orchestrator and activity
/// work item sent on it and not completed is cancelled, and the workflow engine dispatches it again to the next worker
/// that connects (dapr/durabletask-go <c>backend/executor.go</c>, <c>GetWorkItems</c>' deferred cleanup calling
/// <c>CancelActivityTask</c>/<c>CancelOrchestratorTask</c>; the activity actor's reminder then runs the activity again,
/// dapr/dapr <c>pkg/actors/targets/workflow/activity</c>). dapr/dotnet-sdk's worker relies on it
/// (<c>Worker/Grpc/GrpcProtocolHandler.cs</c>: "the sidecar ... only re-dispatches a stream's in-flight items when that
/// stream disconnects"). Microsoft's in-process server instead waits for those items' answers forever, so a dispatcher
/// restarted mid-run would hang its runs. Here their pending answers are failed: the server's dispatcher then abandons
/// the work items and the in-memory service queues them again. The server keeps them in private fields (read by name;
/// a package update that renames them fails the first run that needs this, loudly).
/// </summary>
internal sealed class WorkItemHandBack(TaskHubGrpcServer server)
{
    private static readonly FieldInfo[] PendingFields =
    [
        Field("pendingOrchestratorTasks"),
        Field("pendingActivityTasks"),
    ];

    /// <summary>Fails every work item the server still waits on, so each is dispatched again.</summary>
    public int HandBackAll()
    {
        var handedBack = 0;
        foreach (var field in PendingFields)
        {
            var pending = (IDictionary)field.GetValue(server)!;
            foreach (var key in pending.Keys.Cast<object>().ToArray())
            {
                if (pending[key] is not { } completion)
                {
                    continue;
                }
                // The server creates the next answer under the same key (instance id, task id): remove this one first.
                pending.Remove(key);
                completion.GetType().GetMethod(nameof(TaskCompletionSource.TrySetException), [typeof(Exception)])!
                    .Invoke(completion, [new OperationCanceledException("The worker's work-item stream ended before it answered.")]);
                handedBack++;
            }
        }
        return handedBack;
    }

    private static FieldInfo Field(string name) =>
        typeof(TaskHubGrpcServer).GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException($"TaskHubGrpcServer has no field {name}: the in-process server changed.");
}
