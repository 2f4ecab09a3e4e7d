using System.Globalization;

namespace Arkonis.Model.Runs;

// TEMPORARY stand-in (triggers branch) for the model engineer's RunIds; replaced when `model` lands on main.
/// <summary>Run id rules.</summary>
public static class RunIds
{
    /// <summary>Cron run id.</summary>
    public static string ForCron(string ns, string eventName, DateTimeOffset scheduledUtc) =>
        $"{ns}.{eventName}.cron.{scheduledUtc.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)}";

    /// <summary>Flow-output run id.</summary>
    public static string ForFlowOutput(string ns, string eventName, string upstreamRunId) => $"{ns}.{eventName}.after.{upstreamRunId}";
}
