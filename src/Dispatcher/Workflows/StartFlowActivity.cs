using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Flows;
using Dapr.Workflow;

namespace Arkonis.Dispatcher.Workflows;

/// <summary>Whether the flow runner took the flow.</summary>
public sealed record FlowStartOutcome(bool Accepted, string? Error = null);

/// <summary>
/// Starts one target flow. Transient failures throw (the workflow's retry policy retries them); a definite
/// refusal from the runner is returned as data, so it is not retried. Idempotent through the correlation id.
/// </summary>
public sealed class StartFlowActivity(IFlowRunner runner, ILogger<StartFlowActivity> logger)
    : WorkflowActivity<FlowStartRequest, FlowStartOutcome>
{
    public override async Task<FlowStartOutcome> RunAsync(WorkflowActivityContext context, FlowStartRequest input)
    {
        try
        {
            await runner.StartAsync(input, CancellationToken.None);
            logger.FlowStarted(input.Namespace, input.Pipeline, input.RunId);
            return new FlowStartOutcome(true);
        }
        catch (FlowStartRejectedException e)
        {
            logger.FlowRejected(input.Namespace, input.Pipeline, input.RunId, e.Message);
            return new FlowStartOutcome(false, e.Message);
        }
    }
}
