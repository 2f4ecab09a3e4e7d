using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Runs;
using Dapr.Workflow;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Flows;

/// <summary>
/// Routes a completion to the run waiting for it: the correlation id names the run, the run's workflow gets an
/// external event named after the correlation id (also while the run is suspended: it is kept until the run resumes).
/// Unknown ids, finished runs and redeliveries are acknowledged and change nothing.
/// </summary>
public sealed class RunCompletionRouter(
    DaprWorkflowClient workflows,
    IOptions<SidecarOptions> sidecar,
    IRunPayloads payloads,
    IOptions<RunOptions> runs,
    ILogger<RunCompletionRouter> logger) : IFlowCompletionObserver
{
    public async Task OnFlowCompletedAsync(FlowCompleted completion, CancellationToken cancellationToken)
    {
        if (completion.CorrelationId is not { Length: > 0 } correlationId ||
            !CorrelationIds.TryGetRunId(correlationId, out var runId))
        {
            logger.CompletionNotOurs(completion.Namespace, completion.Flow);
            return;
        }
        // The run the correlation id names (the completion's own RunId is the flow runner's).
        using var scope = logger.BeginRunScope(runId);
        using var span = CompletionTracing.StartCompletion(completion, runId);
        try
        {
            var routed = await RouteAsync(completion, correlationId, runId, cancellationToken);
            span?.SetTag(DispatcherTracing.OutcomeTag, routed ? "routed" : "no-waiting-run");
        }
        catch (Exception e)
        {
            span.Failed(e);
            throw;
        }
    }

    private async Task<bool> RouteAsync(FlowCompleted completion, string correlationId, string runId, CancellationToken cancellationToken)
    {
        var deadline = sidecar.Value.CallTimeout;
        var state = await SidecarUnavailableException.GuardAsync(
            "GetWorkflowState", deadline, ct => workflows.GetWorkflowStateAsync(runId, false, ct), cancellationToken);
        // A suspended run keeps the event until it resumes; dropping it would leave the target waiting for its deadline.
        if (state is not { Exists: true, RuntimeStatus: WorkflowRuntimeStatus.Running or WorkflowRuntimeStatus.Pending or WorkflowRuntimeStatus.Suspended })
        {
            logger.CompletionNoWaitingRun(runId);
            return false;
        }
        // A large output is stored once (claim-check); the run's history gets a reference, not the output.
        var output = await SidecarUnavailableException.GuardAsync(
            "SaveState",
            deadline,
            ct => PayloadRefs.OffloadAsync(
                payloads, PayloadRefs.TargetOutputKey(correlationId), completion.Output, runs.Value.InlinePayloadBytes, ct),
            cancellationToken);
        completion = completion with { Output = output };
        await SidecarUnavailableException.GuardAsync(
            "RaiseEvent",
            deadline,
            async ct =>
            {
                await workflows.RaiseEventAsync(runId, CompletionEvents.Name(correlationId), completion, ct);
                return true;
            },
            cancellationToken);
        logger.CompletionRouted(runId);
        return true;
    }
}
