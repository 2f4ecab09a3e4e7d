using System.Text.Json.Nodes;
using Arkonis.Model.Resources;

namespace Arkonis.Dispatcher.Runs;

/// <summary>What caused a fire, as the target input templates see it.</summary>
/// <param name="Cause">webhook, cron or flow-output.</param>
/// <param name="FiredAt">When the event fired (for cron: the scheduled time).</param>
/// <param name="Body">The webhook's JSON body, if any.</param>
/// <param name="Output">The upstream flow's output (flow-output only).</param>
/// <param name="ChainDepth">How many flow-output hops led here (0 for webhook and cron).</param>
/// <param name="UpstreamTraceParent">The upstream flow's W3C trace context (flow-output only): the new run's trace links to it.</param>
public sealed record TriggerContext(
    string Cause, DateTimeOffset FiredAt, JsonNode? Body = null, JsonNode? Output = null, int ChainDepth = 0, string? UpstreamTraceParent = null);

/// <summary>One fire of one ArkEvent: one run, one workflow instance.</summary>
public sealed record FireRequest(string RunId, ArkEvent Event, TriggerContext Trigger);

public enum LaunchOutcome
{
    /// <summary>A new run was scheduled.</summary>
    Started,

    /// <summary>A run with this id exists already (running or finished); nothing new was started.</summary>
    AlreadyExists,
}

/// <summary>Starts runs. Every trigger (webhook, cron, flow-output) goes through this port.</summary>
public interface IRunLauncher
{
    /// <summary>Schedules the run unless a run with the same id exists. Never starts a second run for an id.</summary>
    Task<LaunchOutcome> LaunchAsync(FireRequest request, CancellationToken cancellationToken);
}
