using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Runs;
using Dapr.Workflow;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Workflows;

/// <summary>Reads runs back: their state now, or (for sync fires) their end, without polling.</summary>
public sealed class RunReader(
    DaprWorkflowClient workflows,
    IOptions<SidecarOptions> sidecar,
    IRunPayloads payloads,
    TimeProvider time)
{
    /// <summary>The run, or null when there is no such run for this trigger.</summary>
    public async Task<RunResult?> GetAsync(string @namespace, string name, string runId, CancellationToken cancellationToken)
    {
        var state = await SidecarUnavailableException.GuardAsync(
            "GetWorkflowState",
            sidecar.Value.CallTimeout,
            ct => workflows.GetWorkflowStateAsync(runId, true, ct),
            cancellationToken);
        if (state is not { Exists: true } || state.ReadInputAs<RunInput>() is not { } input ||
            input.Namespace != @namespace || input.EventName != name)
        {
            return null;
        }
        return await ResolveOutputsAsync(state.RuntimeStatus switch
        {
            WorkflowRuntimeStatus.Completed => state.ReadOutputAs<RunResult>() ?? Pending(input),
            WorkflowRuntimeStatus.Failed or WorkflowRuntimeStatus.Terminated or WorkflowRuntimeStatus.Canceled =>
                (state.ReadCustomStatusAs<RunResult>() ?? Pending(input)) with
                {
                    Status = RunStatuses.Failed,
                    CompletedAt = state.LastUpdatedAt,
                },
            // Every target can be done while the workflow still records the run (RecordRunActivity): until the instance
            // completes the run holds its concurrencyPolicy slot, so it reads as Running, with the targets' results so far.
            _ => state.ReadCustomStatusAs<RunResult>() is { } soFar
                ? soFar with { Status = RunStatuses.Running, CompletedAt = null }
                : Pending(input),
        }, cancellationToken);
    }

    /// <summary>
    /// Waits for the run to end, at most <paramref name="timeout"/>; null when it has not ended by then.
    /// Through the SDK's client (<see cref="DaprWorkflowClient.WaitForWorkflowCompletionAsync"/>), which adds the
    /// <c>dapr-api-token</c> header to every call when <c>DAPR_API_TOKEN</c> is set: a raw durable-task gRPC call carries
    /// no token, and daprd answers it Unauthenticated.
    /// </summary>
    public async Task<RunResult?> WaitAsync(string runId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        WorkflowState state;
        try
        {
            state = await workflows.WaitForWorkflowCompletionAsync(runId, true, wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.DeadlineExceeded or StatusCode.Cancelled && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            // The caller hung up: a cancellation, not a server error.
            throw new OperationCanceledException("The sync wait was cancelled.", e, cancellationToken);
        }
        catch (RpcException e) when (SidecarUnavailableException.IsUnavailable(e) && !cancellationToken.IsCancellationRequested)
        {
            throw new SidecarUnavailableException("WaitForInstanceCompletion", e);
        }
        catch (InvalidOperationException)
        {
            // The SDK's answer for an instance that does not exist.
            return null;
        }
        if (state is not { Exists: true })
        {
            return null;
        }
        if (state.ReadOutputAs<RunResult>() is { } done)
        {
            return await ResolveOutputsAsync(done, cancellationToken);
        }
        // The workflow itself failed or was terminated: what it knew last, marked Failed.
        return state.ReadCustomStatusAs<RunResult>() is { } last
            ? await ResolveOutputsAsync(last with { Status = RunStatuses.Failed }, cancellationToken)
            : null;
    }

    /// <summary>Targets' claim-checked outputs, loaded from the state store (a gone one reads as no output).</summary>
    private async Task<RunResult> ResolveOutputsAsync(RunResult run, CancellationToken cancellationToken)
    {
        if (!run.Targets.Any(t => PayloadRefs.TryGetKey(t.Output, out _)))
        {
            return run;
        }
        var targets = new List<TargetResult>(run.Targets.Count);
        foreach (var target in run.Targets)
        {
            var (output, _) = await SidecarUnavailableException.GuardAsync(
                "GetState", sidecar.Value.CallTimeout, ct => PayloadRefs.ResolveAsync(payloads, target.Output, ct), cancellationToken);
            targets.Add(target with { Output = output });
        }
        return run with { Targets = targets };
    }

    private static RunResult Pending(RunInput input) => new(
        input.RunId, input.Namespace, input.EventName, RunStatuses.Running, input.FiredAt, null,
        [.. input.Targets.Select(t => new TargetResult(t.Pipeline, RunStatuses.Pending))]);
}
