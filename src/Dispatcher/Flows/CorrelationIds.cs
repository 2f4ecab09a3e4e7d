using Arkonis.Model.Runs;

namespace Arkonis.Dispatcher.Flows;

/// <summary>Reads the run back out of a correlation id made by <see cref="RunIds.CorrelationId"/> (<c>{runId}.{pipeline}</c>).</summary>
public static class CorrelationIds
{
    /// <summary>
    /// Pipelines are DNS labels (no dot), so the run id is everything before the last dot. A hashed id (only made
    /// for over-long inputs, which run ids never are) or a foreign one yields false.
    /// </summary>
    public static bool TryGetRunId(string correlationId, out string runId)
    {
        runId = string.Empty;
        if (!RunIds.IsValid(correlationId))
        {
            return false;
        }
        var dot = correlationId.LastIndexOf('.');
        if (dot <= 0 || dot == correlationId.Length - 1)
        {
            return false;
        }
        runId = correlationId[..dot];
        return true;
    }
}
