namespace Arkonis.Dispatcher.Dashboard;

/// <summary>What the dashboard page shows: every ArkEvent the dispatcher serves, with its recent runs.</summary>
public sealed record DashboardView(DateTimeOffset Now, IReadOnlyList<DashboardEvent> Events);

/// <summary>One ArkEvent: its source, when it fires next, whether it can fire (and why not), and its recent runs.</summary>
/// <param name="Schedule">cron: the expression; flow-output: the upstream flow and phase; webhook: null.</param>
/// <param name="Problems">The validator's messages when the event is invalid (and not served).</param>
/// <param name="RunsError">Why the runs could not be read (the Dapr sidecar is unavailable), else null.</param>
public sealed record DashboardEvent(
    string Namespace,
    string Name,
    string? Type,
    string? Schedule,
    string? TimeZone,
    DateTimeOffset? NextFire,
    bool Suspended,
    bool Valid,
    IReadOnlyList<string> Problems,
    IReadOnlyList<string> Targets,
    IReadOnlyList<DashboardRun> Runs,
    string? RunsError);

/// <summary>A run as the run reader returns it, without the flows' output.</summary>
public sealed record DashboardRun(
    string RunId,
    string Status,
    DateTimeOffset FiredAt,
    DateTimeOffset? CompletedAt,
    long? DurationMs,
    IReadOnlyList<DashboardTarget> Targets);

/// <summary>One target of a run: its status, how long it took from the fire, and its error.</summary>
public sealed record DashboardTarget(string Pipeline, string Status, long? DurationMs, string? Error);
