using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Kubernetes.Events;
using Arkonis.Model.Resources;

namespace Arkonis.Dispatcher.Kubernetes.Status;

/// <summary>
/// Trigger activity in a cluster: the ArkEvent's status (firedCount, lastFiredAt, lastRun) through
/// <see cref="ArkEventStatusWriter"/>, and a Kubernetes Event for each fire, skip, completion and failure.
/// Never blocks the caller: both go through queues.
/// </summary>
internal sealed class KubernetesTriggerActivity(ArkEventStatusWriter writer, KubernetesEventRecorder events) : ITriggerActivity
{
    public void Fired(ArkEvent arkEvent, string runId, DateTimeOffset firedAt)
    {
        // A cron fire moves nextFireAt in the same write (what the reconciler would otherwise write just after).
        var next = arkEvent.Spec.Source is { Type: SourceTypes.Cron } cron && arkEvent.Spec.Suspend != true
            ? StatusPlan.NextFire(cron, firedAt, out _)
            : null;
        _ = writer.Enqueue(arkEvent.Namespace, arkEvent.Name, new FireRecorded(runId, firedAt, next));
        events.Record(arkEvent, EventKind.Fired, $"run {runId} started ({arkEvent.Spec.Targets?.Count ?? 0} targets)");
    }

    public void Skipped(ArkEvent arkEvent, string reason, DateTimeOffset at) =>
        events.Record(arkEvent, EventKind.Skipped, $"fire skipped: {reason}");

    public void Completed(ArkEvent arkEvent, string runId, string result, DateTimeOffset completedAt)
    {
        _ = writer.Enqueue(arkEvent.Namespace, arkEvent.Name, new RunFinished(runId, result, completedAt));
        events.Record(arkEvent, result == FlowPhases.Succeeded ? EventKind.RunSucceeded : EventKind.RunFailed, $"run {runId} {result}");
    }

    public void Failed(ArkEvent arkEvent, string runId, string message, DateTimeOffset at)
    {
        _ = writer.Enqueue(arkEvent.Namespace, arkEvent.Name, new RunFinished(runId, FlowPhases.Failed, at));
        events.Record(arkEvent, EventKind.FireFailed, $"run {runId} failed: {message}");
    }
}
