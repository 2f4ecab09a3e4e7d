namespace Arkonis.Model.Resources;

/// <summary>The values of <c>spec.source.type</c>.</summary>
public static class SourceTypes
{
    /// <summary>Fired by an authenticated HTTP POST.</summary>
    public const string Webhook = "webhook";

    /// <summary>Fired on a cron schedule.</summary>
    public const string Cron = "cron";

    /// <summary>Fired when another flow completes.</summary>
    public const string FlowOutput = "flow-output";

    /// <summary>All supported values, in the order error messages list them.</summary>
    public static readonly IReadOnlyList<string> All = [Webhook, Cron, FlowOutput];
}

/// <summary>The values of <c>spec.source.onPhase</c>, and the phases a flow completes in.</summary>
public static class FlowPhases
{
    /// <summary>The flow succeeded.</summary>
    public const string Succeeded = "Succeeded";

    /// <summary>The flow failed.</summary>
    public const string Failed = "Failed";

    /// <summary>All supported values.</summary>
    public static readonly IReadOnlyList<string> All = [Succeeded, Failed];
}

/// <summary>The values of <c>spec.concurrencyPolicy</c>.</summary>
public static class ConcurrencyPolicies
{
    /// <summary>Runs may overlap.</summary>
    public const string Allow = "Allow";

    /// <summary>A fire is skipped while an earlier run is still going.</summary>
    public const string Forbid = "Forbid";

    /// <summary>The running run is ended and the new one started.</summary>
    public const string Replace = "Replace";

    /// <summary>All supported values.</summary>
    public static readonly IReadOnlyList<string> All = [Allow, Forbid, Replace];
}
