using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Runs;
using Dapr.Workflow;

namespace Arkonis.Dispatcher.Workflows;

/// <summary>Tells <see cref="ITriggerActivity"/> how a run ended (locally: a log line and memory; in a cluster: status and Events).</summary>
public sealed class RecordRunActivity(ArkEventCatalog catalog, ITriggerActivity activity, ILogger<RecordRunActivity> logger)
    : WorkflowActivity<RunResult, bool>
{
    public override Task<bool> RunAsync(WorkflowActivityContext context, RunResult input)
    {
        // Activities run on the workflow worker, outside the scope of the fire: the lines that record the run's end name it.
        using var scope = logger.BeginEventScope(input.Namespace, input.EventName, input.RunId);
        if (catalog.Find(input.Namespace, input.EventName) is not { } entry)
        {
            return Task.FromResult(false);
        }
        // Completed carries the run's result, Succeeded or Failed; Failed() is for fires that could not start.
        activity.Completed(entry.Event, input.RunId, input.Status, input.CompletedAt ?? input.FiredAt);
        return Task.FromResult(true);
    }
}
