using Dapr.Workflow;

namespace Arkonis.Dispatcher.Triggers.Concurrency;

/// <summary>Run state from Dapr Workflow: one workflow instance per run, instance id = run id.</summary>
public sealed class DaprWorkflowRunStatusSource(DaprWorkflowClient client) : IRunStatusSource
{
    public async Task<RunStatus> GetStatusAsync(string runId, CancellationToken cancellationToken)
    {
        var state = await client.GetWorkflowStateAsync(runId, getInputsAndOutputs: false, cancellationToken);
        if (state is null || !state.Exists)
        {
            return RunStatus.NotFound;
        }
        return state.RuntimeStatus switch
        {
            WorkflowRuntimeStatus.Pending => RunStatus.Pending,
            WorkflowRuntimeStatus.Running => RunStatus.Running,
            WorkflowRuntimeStatus.Suspended or WorkflowRuntimeStatus.Stalled => RunStatus.Suspended,
            WorkflowRuntimeStatus.Unknown => RunStatus.Running, // cannot tell: assume it still holds its slot
            _ => RunStatus.Finished,
        };
    }

    public Task TerminateAsync(string runId, string reason, CancellationToken cancellationToken) =>
        client.TerminateWorkflowAsync(runId, reason, cancellationToken);
}
