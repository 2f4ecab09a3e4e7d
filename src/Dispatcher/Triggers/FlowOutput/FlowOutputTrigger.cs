using Arkonis.Dispatcher.Triggers.Concurrency;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Runs;
using Arkonis.Model.Resources;
using Arkonis.Model.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Triggers.FlowOutput;

/// <summary>
/// Fires every flow-output ArkEvent that watches a completed flow, in the completion's namespace and phase. The run
/// id comes from the upstream run, so a redelivered completion starts nothing new; the chain depth travels with the
/// run (<see cref="TriggerContext.ChainDepth"/> → the flow start → its completion) and is capped.
/// </summary>
public sealed partial class FlowOutputTrigger(
    FlowOutputIndex index,
    ConcurrencyGate gate,
    IRunLauncher launcher,
    ITriggerActivity activity,
    TriggerMetrics metrics,
    TimeProvider time,
    IOptions<FlowOutputOptions> options,
    ILogger<FlowOutputTrigger> logger) : IFlowCompletionObserver
{
    private readonly int _maxChainDepth = options.Value.MaxChainDepth;

    public async Task OnFlowCompletedAsync(FlowCompleted completion, CancellationToken cancellationToken)
    {
        List<Exception>? failures = null;
        foreach (var arkEvent in index.Watching(completion.Namespace, completion.Flow))
        {
            if (!string.Equals(arkEvent.Spec.Source?.OnPhase ?? FlowPhases.Succeeded, completion.Phase, StringComparison.Ordinal))
            {
                continue;
            }
            try
            {
                await FireAsync(arkEvent, completion, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Keep going for the other events; the message is redelivered and what started already exists then.
                (failures ??= []).Add(ex);
            }
        }
        if (failures is not null)
        {
            throw new AggregateException("flow-output launch failed; the completion should be redelivered", failures);
        }
    }

    private async Task FireAsync(ArkEvent arkEvent, FlowCompleted completion, CancellationToken cancellationToken)
    {
        var runId = RunIds.ForFlowOutput(arkEvent.Namespace, arkEvent.Name, completion.RunId);
        // Inside the completion's scope (the upstream flow run, its correlation id): the fire's lines name both runs.
        using var scope = logger.BeginEventScope(arkEvent.Namespace, arkEvent.Name, runId);
        var depth = (completion.ChainDepth ?? 0) + 1;
        if (arkEvent.Spec.Suspend == true)
        {
            Skip(arkEvent, TriggerSkipReasons.Suspended);
            return;
        }
        if (depth > _maxChainDepth)
        {
            LogChainTooDeep(logger, completion.Flow, depth, _maxChainDepth);
            Skip(arkEvent, TriggerSkipReasons.ChainDepth);
            return;
        }
        var verdict = await gate.AdmitAsync(arkEvent, runId, [], cancellationToken);
        if (!verdict.Proceed)
        {
            LogForbidden(logger, verdict.Blocking);
            Skip(arkEvent, TriggerSkipReasons.Forbid);
            return;
        }
        var trigger = new TriggerContext(SourceTypes.FlowOutput, completion.CompletedAt, Body: null, completion.Output, depth, completion.TraceParent);
        var outcome = await launcher.LaunchAsync(new FireRequest(runId, arkEvent, trigger), cancellationToken);
        gate.Record(arkEvent, runId);
        if (outcome == LaunchOutcome.AlreadyExists)
        {
            LogAlreadyExists(logger);
            return;
        }
        metrics.Fired(SourceTypes.FlowOutput);
        LogFired(logger, completion.Flow, completion.Phase, depth);
    }

    private void Skip(ArkEvent arkEvent, string reason)
    {
        metrics.Skipped(SourceTypes.FlowOutput, reason);
        activity.Skipped(arkEvent, reason, time.GetUtcNow());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow-output event fired after {Flow} {Phase} (chain depth {Depth})")]
    private static partial void LogFired(ILogger logger, string flow, string phase, int depth);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Flow-output run exists already (redelivered completion)")]
    private static partial void LogAlreadyExists(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow-output event not fired after {Flow}: chain depth {Depth} is over the limit {Limit} (a loop of events?)")]
    private static partial void LogChainTooDeep(ILogger logger, string flow, int depth, int limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Flow-output event skipped: concurrencyPolicy Forbid and run(s) {Blocking} still active")]
    private static partial void LogForbidden(ILogger logger, IReadOnlyList<string> blocking);
}
