using System.Text.Json;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Runs;
using Dapr.DurableTask.Protobuf;
using Dapr.Workflow;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Workflows;

/// <summary>Reads runs back: their state now, or (for sync fires) their end, without polling.</summary>
public sealed class RunReader(
    DaprWorkflowClient workflows,
    TaskHubSidecarService.TaskHubSidecarServiceClient taskHub,
    IOptions<SidecarOptions> sidecar,
    IRunPayloads payloads,
    TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

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
    /// Uses the durable-task protocol's WaitForInstanceCompletion, a single long call that the sidecar answers
    /// when the instance completes (the SDK's own WaitForWorkflowCompletionAsync polls once a second).
    /// </summary>
    public async Task<RunResult?> WaitAsync(string runId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var response = await taskHub.WaitForInstanceCompletionAsync(
                new GetInstanceRequest { InstanceId = runId, GetInputsAndOutputs = true },
                deadline: time.GetUtcNow().UtcDateTime.Add(timeout),
                cancellationToken: cancellationToken);
            if (!response.Exists || response.WorkflowState is not { } state)
            {
                return null;
            }
            if (!string.IsNullOrEmpty(state.Output))
            {
                return JsonSerializer.Deserialize<RunResult>(state.Output, Json) is { } done
                    ? await ResolveOutputsAsync(done, cancellationToken)
                    : null;
            }
            // The workflow itself failed or was terminated: what it knew last, marked Failed.
            return string.IsNullOrEmpty(state.CustomStatus)
                ? null
                : JsonSerializer.Deserialize<RunResult>(state.CustomStatus, Json) is { } last
                    ? await ResolveOutputsAsync(last with { Status = RunStatuses.Failed }, cancellationToken)
                    : null;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
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
