namespace Arkonis.Dispatcher.Triggers;

/// <summary>Why a cron occurrence or a flow completion did not fire (metric tag and ITriggerActivity.Skipped reason).</summary>
public static class TriggerSkipReasons
{
    public const string DeadlineMissed = "deadline-missed";
    public const string Suspended = "suspended";
    public const string Forbid = "forbid";
    public const string ChainDepth = "chain-depth";
}
