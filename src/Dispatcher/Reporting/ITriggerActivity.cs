using Arkonis.Model.Resources;

namespace Arkonis.Dispatcher.Reporting;

/// <summary>
/// What happened to a trigger. Locally it is logged and kept in memory; in a cluster it becomes the
/// ArkEvent's status (patched through the status subresource) and Kubernetes Events.
/// </summary>
public interface ITriggerActivity
{
    void Fired(ArkEvent arkEvent, string runId, DateTimeOffset firedAt);

    void Skipped(ArkEvent arkEvent, string reason, DateTimeOffset at);

    void Completed(ArkEvent arkEvent, string runId, string result, DateTimeOffset completedAt);

    void Failed(ArkEvent arkEvent, string runId, string message, DateTimeOffset at);
}
