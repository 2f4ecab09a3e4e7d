using Arkonis.Model.Resources;

namespace Arkonis.Dispatcher.Kubernetes.Completions;

/// <summary>Which finished runs of one event to delete: all but the newest N succeeded and M failed (CronJob's 3 and 1 by default).</summary>
internal static class RunHistory
{
    public const int DefaultSuccessfulLimit = 3;
    public const int DefaultFailedLimit = 1;

    /// <summary>
    /// Only runs whose completion was published are candidates: deleting an unpublished one would lose its
    /// completion. Newest first by completion time (creation time when missing).
    /// </summary>
    public static IReadOnlyList<ArkFlowRun> SelectForDeletion(IEnumerable<ArkFlowRun> runsOfOneEvent, int? successfulLimit, int? failedLimit)
    {
        var finished = runsOfOneEvent.Where(r => r.IsFinished && r.CompletionPublished)
            .OrderByDescending(r => r.CompletionTime ?? r.CreationTime ?? DateTimeOffset.MinValue)
            .ThenByDescending(r => r.Name, StringComparer.Ordinal)
            .ToList();
        var succeeded = finished.Where(r => r.Phase == FlowPhases.Succeeded).Skip(Math.Max(0, successfulLimit ?? DefaultSuccessfulLimit));
        var failed = finished.Where(r => r.Phase == FlowPhases.Failed).Skip(Math.Max(0, failedLimit ?? DefaultFailedLimit));
        return [.. succeeded, .. failed];
    }
}
