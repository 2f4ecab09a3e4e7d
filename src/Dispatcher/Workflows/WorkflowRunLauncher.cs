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
/// <list type="number">
/// <item>A run that exists is found with one read (with the short sidecar deadline, which also finds a sidecar that is down).</item>
/// <item>Otherwise the run id is claimed (<see cref="DaprRunClaims"/>, one first-write in the state store): of concurrent
/// or repeated launches of one id exactly one goes on, however the runtime treats a second start.</item>
/// <item>The schedule gets its own deadline (<see cref="RunOptions.StartTimeout"/>): daprd answers StartInstance only
/// once the workflow's first step has run (dapr/durabletask-go <c>backend/executor.go</c>). When it times out, the
/// instance is read: if it exists, the fire succeeded.</item>
/// <item>A refusal of the schedule (gRPC <c>AlreadyExists</c>, or any other answer while the instance exists) means the
/// run exists: <see cref="LaunchOutcome.AlreadyExists"/>.</item>
/// </list>
/// </summary>
public sealed class WorkflowRunLauncher(
    DaprWorkflowClient workflows,
    ITriggerActivity activity,
    IOptions<SidecarOptions> sidecar,
    IOptions<RunOptions> runOptions,
    IRunPayloads payloads,
    DaprRunClaims claims,
    TimeProvider time,
    DispatcherMetrics metrics,
    ILogger<WorkflowRunLauncher> logger) : IRunLauncher
{
    public async Task<LaunchOutcome> LaunchAsync(FireRequest request, CancellationToken cancellationToken)
    {
        using var span = RunTracing.StartLaunch(request);
        try
        {
            var outcome = await LaunchInSpanAsync(request, cancellationToken);
            span?.SetTag(DispatcherTracing.OutcomeTag, outcome == LaunchOutcome.Started ? "started" : "exists");
            return outcome;
        }
        catch (Exception e)
        {
            span.Failed(e);
            throw;
        }
    }

    private async Task<LaunchOutcome> LaunchInSpanAsync(FireRequest request, CancellationToken cancellationToken)
    {
        var deadline = sidecar.Value.CallTimeout;
        var runId = request.RunId;
        var now = time.GetUtcNow();
        // A run that exists already is the common duplicate, answered with one read; the read also finds a sidecar
        // that is down within the short deadline, before the long start deadline below could be spent waiting for it.
        if (await ExistsAsync(runId, deadline, cancellationToken))
        {
            return AlreadyExists(request);
        }
        var claimed = await SidecarUnavailableException.GuardAsync(
            "SaveState", deadline, ct => claims.TryClaimAsync(runId, now, ct), cancellationToken);
        if (!claimed && !await TakeOverAbandonedAsync(runId, now, deadline, cancellationToken))
        {
            return AlreadyExists(request);
        }

        var trace = DispatcherTracing.Current();
        try
        {
            var input = await SidecarUnavailableException.GuardAsync(
                "SaveState", deadline, ct => OffloadAsync(ToInput(request, runOptions.Value, trace), ct), cancellationToken);
            await SidecarUnavailableException.GuardAsync(
                "ScheduleNewWorkflow",
                runOptions.Value.StartTimeout,
                ct => workflows.ScheduleNewWorkflowAsync(nameof(FireWorkflow), runId, input, null, ct),
                cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
            return AlreadyExists(request);
        }
        catch (Exception e) when (e is SidecarUnavailableException or RpcException && !cancellationToken.IsCancellationRequested)
        {
            // A slow start, a lost answer or a refusal: the instance is the truth.
            if (await ExistsAsync(runId, deadline, cancellationToken))
            {
                if (e is RpcException)
                {
                    return AlreadyExists(request);
                }
                logger.RunStartAnswerLate(runId, request.Event.Namespace, request.Event.Name);
                return Started(request);
            }
            await ReleaseAsync(runId, deadline);
            throw;
        }
        return Started(request);
    }

    /// <summary>
    /// Someone holds the claim. When the run exists that is the end of it; when it does not and the claim is older than
    /// a start can take, its holder failed between claim and schedule, and this launch takes over.
    /// </summary>
    private async Task<bool> TakeOverAbandonedAsync(string runId, DateTimeOffset now, TimeSpan deadline, CancellationToken cancellationToken)
    {
        if (await ExistsAsync(runId, deadline, cancellationToken))
        {
            return false;
        }
        var staleBefore = now - runOptions.Value.StartTimeout - deadline - deadline;
        return await SidecarUnavailableException.GuardAsync(
            "SaveState", deadline, ct => claims.TryTakeOverAsync(runId, now, staleBefore, ct), cancellationToken);
    }

    private async Task<bool> ExistsAsync(string runId, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var state = await SidecarUnavailableException.GuardAsync(
            "GetWorkflowState", deadline, ct => workflows.GetWorkflowStateAsync(runId, false, ct), cancellationToken);
        return state is { Exists: true };
    }

    private async Task ReleaseAsync(string runId, TimeSpan deadline)
    {
        try
        {
            using var timeout = new CancellationTokenSource(deadline);
            await claims.ReleaseAsync(runId, timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException or Dapr.DaprException)
        {
            // The claim expires or is taken over once stale (TakeOverAbandonedAsync); the caller is told 503 either way.
        }
    }

    private LaunchOutcome Started(FireRequest request)
    {
        logger.RunLaunched(request.RunId, request.Event.Namespace, request.Event.Name, request.Trigger.Cause);
        metrics.RunLaunched(request.Trigger.Cause, "started");
        activity.Fired(request.Event, request.RunId, request.Trigger.FiredAt);
        return LaunchOutcome.Started;
    }

    private LaunchOutcome AlreadyExists(FireRequest request)
    {
        logger.RunAlreadyExists(request.RunId, request.Event.Namespace, request.Event.Name);
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

    /// <summary>The workflow input; <paramref name="trace"/> (the launch's span) is the parent of the run's spans.</summary>
    internal static RunInput ToInput(FireRequest request, RunOptions options, (string? TraceParent, string? TraceState) trace = default) => new(
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
        (int)Math.Ceiling(options.TargetTimeout.TotalSeconds),
        trace.TraceParent,
        trace.TraceState);
}
