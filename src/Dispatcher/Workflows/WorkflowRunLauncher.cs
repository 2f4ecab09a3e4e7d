using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Runs;
using Dapr.Workflow;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Workflows;

/// <summary>
/// <see cref="IRunLauncher"/> on Dapr Workflow: one run = one <see cref="FireWorkflow"/> instance whose id is the run id.
/// daprd silently re-creates a completed instance when its id is scheduled again, so the state is checked first,
/// and the "already exists" error of a running one counts as <see cref="LaunchOutcome.AlreadyExists"/>.
/// </summary>
public sealed class WorkflowRunLauncher(
    DaprWorkflowClient workflows,
    ITriggerActivity activity,
    IOptions<SidecarOptions> sidecar,
    IOptions<RunOptions> runOptions,
    IRunPayloads payloads,
    DispatcherMetrics metrics,
    ILogger<WorkflowRunLauncher> logger) : IRunLauncher
{
    public async Task<LaunchOutcome> LaunchAsync(FireRequest request, CancellationToken cancellationToken)
    {
        var deadline = sidecar.Value.CallTimeout;
        var existing = await SidecarUnavailableException.GuardAsync(
            "GetWorkflowState", deadline, ct => workflows.GetWorkflowStateAsync(request.RunId, false, ct), cancellationToken);
        if (existing is { Exists: true })
        {
            return AlreadyExists(request);
        }

        var input = await SidecarUnavailableException.GuardAsync(
            "SaveState", deadline, ct => OffloadAsync(ToInput(request, runOptions.Value), ct), cancellationToken);
        try
        {
            await SidecarUnavailableException.GuardAsync(
                "ScheduleNewWorkflow",
                deadline,
                ct => workflows.ScheduleNewWorkflowAsync(nameof(FireWorkflow), request.RunId, input, null, ct),
                cancellationToken);
        }
        catch (RpcException e) when (e.Status.Detail.Contains("already exists", StringComparison.OrdinalIgnoreCase))
        {
            return AlreadyExists(request);
        }

        logger.RunLaunched(request.Event.Namespace, request.Event.Name, request.RunId, request.Trigger.Cause);
        metrics.RunLaunched(request.Trigger.Cause, "started");
        activity.Fired(request.Event, request.RunId, request.Trigger.FiredAt);
        return LaunchOutcome.Started;
    }

    private LaunchOutcome AlreadyExists(FireRequest request)
    {
        logger.RunAlreadyExists(request.Event.Namespace, request.Event.Name, request.RunId);
        metrics.RunLaunched(request.Trigger.Cause, "exists");
        return LaunchOutcome.AlreadyExists;
    }

    /// <summary>A large body or upstream output goes to the state store once; the run's history carries a reference.</summary>
    private async Task<RunInput> OffloadAsync(RunInput input, CancellationToken cancellationToken)
    {
        var inline = runOptions.Value.InlinePayloadBytes;
        return input with
        {
            Body = await PayloadRefs.OffloadAsync(payloads, PayloadRefs.TriggerKey(input.RunId, "body"), input.Body, inline, cancellationToken),
            Output = await PayloadRefs.OffloadAsync(payloads, PayloadRefs.TriggerKey(input.RunId, "output"), input.Output, inline, cancellationToken),
        };
    }

    internal static RunInput ToInput(FireRequest request, RunOptions options) => new(
        request.RunId,
        request.Event.Namespace,
        request.Event.Name,
        request.Trigger.Cause,
        request.Trigger.FiredAt,
        [.. (request.Event.Spec.Targets ?? []).Where(t => !string.IsNullOrEmpty(t.Pipeline))
            .Select(t => new RunTarget(t.Pipeline!, t.Input))],
        request.Trigger.Body,
        request.Trigger.Output,
        request.Trigger.ChainDepth,
        (int)Math.Ceiling(options.TargetTimeout.TotalSeconds));
}
