using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Runs;
using Arkonis.Model.Resources;
using Arkonis.Model.Runs;
using Arkonis.Model.Templates;
using Dapr.Workflow;

namespace Arkonis.Dispatcher.Workflows;

/// <summary>
/// One fire of one ArkEvent. Starts every target flow in parallel, waits for each flow's completion event
/// (each with its own deadline), and returns every target's result; one failing target never hides the others.
/// The custom status carries the same shape while the run goes on.
/// </summary>
/// <remarks>
/// Runs stay in flight up to <see cref="RunOptions.TargetTimeout"/>, across deploys, and replay on whatever version runs
/// next. A change to the steps (an activity, a wait, a timer, a retry policy added, removed or moved) goes behind
/// <c>context.IsPatched("a-new-name")</c> with today's steps in the other branch; the old branch may go once runs older
/// than the patch are done, the call only with a new workflow name (docs/design.md, "Changing FireWorkflow with runs
/// in flight"). FireWorkflowVersioningTests replay a run recorded by
/// the released version against this code.
/// </remarks>
public sealed class FireWorkflow : Workflow<RunInput, RunResult>
{
    // Changing a policy changes the history of in-flight runs: a new policy goes behind a patch, beside this one.
    internal static readonly WorkflowTaskOptions StartFlowRetry = new(new WorkflowRetryPolicy(
        maxNumberOfAttempts: 5,
        firstRetryInterval: TimeSpan.FromSeconds(1),
        backoffCoefficient: 2,
        maxRetryInterval: TimeSpan.FromSeconds(30)));

    internal static readonly WorkflowTaskOptions RecordRunRetry = new(new WorkflowRetryPolicy(
        maxNumberOfAttempts: 3,
        firstRetryInterval: TimeSpan.FromSeconds(1)));

    public override async Task<RunResult> RunAsync(WorkflowContext context, RunInput input)
    {
        var results = input.Targets.Select(t => new TargetResult(t.Pipeline, RunStatuses.Pending)).ToArray();
        context.SetCustomStatus(Snapshot(input, results, RunStatuses.Running, null));

        await Task.WhenAll(input.Targets.Select((target, index) => RunTargetAsync(context, input, target, index, results)));

        var status = results.All(r => r.Status == RunStatuses.Succeeded) ? RunStatuses.Succeeded : RunStatuses.Failed;
        var result = Snapshot(input, results, status, context.CurrentUtcDateTime);
        context.SetCustomStatus(result);
        // The run's span is written once, in the turn that ends it; a replay of that turn writes nothing.
        if (!context.IsReplaying)
        {
            RunTracing.RunEnded(input, result);
        }
        try
        {
            await context.CallActivityAsync(nameof(RecordRunActivity), result, RecordRunRetry);
        }
        catch (WorkflowTaskFailedException)
        {
            // Recording is bookkeeping (status, events); the run's own result stands without it.
        }
        return result;
    }

    private static async Task RunTargetAsync(
        WorkflowContext context, RunInput input, RunTarget target, int index, TargetResult[] results)
    {
        var correlationId = RunIds.CorrelationId(input.RunId, target.Pipeline);
        // A claim-checked body or output is not in this history: the activity loads it and renders the input there, so
        // the rendered input (as large as the body) never enters the history either.
        var request = PayloadRefs.TryGetKey(input.Body, out _) || PayloadRefs.TryGetKey(input.Output, out _)
            ? new StartFlowInput(
                input.Namespace, target.Pipeline, input.RunId, correlationId, null, input.EventName, input.ChainDepth,
                target.Input, input.FiredAt, input.Body, input.Output, Render: true)
            : new StartFlowInput(
                input.Namespace, target.Pipeline, input.RunId, correlationId,
                TargetInput.Build(
                    new EventTarget { Pipeline = target.Pipeline, Input = target.Input },
                    new TemplateContext(input.EventName, input.Namespace, input.FiredAt, input.Body, input.Output)),
                input.EventName, input.ChainDepth);
        request = request with { TraceParent = input.TraceParent, TraceState = input.TraceState };

        try
        {
            var started = await context.CallActivityAsync<FlowStartOutcome>(nameof(StartFlowActivity), request, StartFlowRetry);
            if (!started.Accepted)
            {
                Update(context, input, results, index, new TargetResult(target.Pipeline, RunStatuses.Failed, Error: started.Error));
                return;
            }
        }
        catch (WorkflowTaskFailedException e)
        {
            Update(context, input, results, index, new TargetResult(
                target.Pipeline, RunStatuses.Failed, Error: "The flow could not be started: " + e.FailureDetails.ErrorMessage));
            return;
        }

        Update(context, input, results, index, new TargetResult(target.Pipeline, RunStatuses.Running));
        var deadline = TimeSpan.FromSeconds(input.TargetTimeoutSeconds);
        try
        {
            var done = await context.WaitForExternalEventAsync<FlowCompleted>(CompletionEvents.Name(correlationId), deadline);
            var succeeded = string.Equals(done.Phase, FlowPhases.Succeeded, StringComparison.Ordinal);
            Update(context, input, results, index, new TargetResult(
                target.Pipeline,
                succeeded ? RunStatuses.Succeeded : RunStatuses.Failed,
                done.RunId,
                done.Output,
                succeeded ? null : done.Error ?? $"The flow ended in phase {done.Phase}.",
                done.CompletedAt));
        }
        catch (TaskCanceledException)
        {
            Update(context, input, results, index, new TargetResult(
                target.Pipeline, RunStatuses.TimedOut, Error: $"No completion arrived within {deadline}."));
        }
    }

    private static void Update(WorkflowContext context, RunInput input, TargetResult[] results, int index, TargetResult result)
    {
        results[index] = result;
        context.SetCustomStatus(Snapshot(input, results, RunStatuses.Running, null));
    }

    private static RunResult Snapshot(RunInput input, TargetResult[] results, string status, DateTime? completedAt) =>
        new(input.RunId, input.Namespace, input.EventName, status, input.FiredAt,
            completedAt is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null,
            [.. results]);
}
