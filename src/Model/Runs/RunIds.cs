using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Arkonis.Model.Runs;

/// <summary>
/// Run ids: deterministic where the cause is, so a replay, a redelivery, a second replica or a restart maps to the
/// same Dapr workflow instance and can never fire twice. Ids use only <c>[A-Za-z0-9._-]</c> (never <c>/</c>) and stay
/// at most <see cref="MaxLength"/> characters. Namespace and event names are DNS labels, so they hold no dot and the
/// parts of an id stay unambiguous.
/// </summary>
public static class RunIds
{
    /// <summary>The longest id produced; longer upstream ids are replaced by their hash.</summary>
    public const int MaxLength = 200;

    /// <summary>The longest correlation id: a run id, a dot and a pipeline name (a DNS label, at most 63).</summary>
    public const int MaxCorrelationLength = MaxLength + 64;

    /// <summary>Cron: <c>{ns}.{event}.cron.{scheduled UTC minute, yyyyMMddTHHmmZ}</c>.</summary>
    public static string ForCron(string ns, string eventName, DateTimeOffset scheduledUtc)
    {
        var minute = scheduledUtc.UtcDateTime.ToString("yyyyMMdd'T'HHmm'Z'", CultureInfo.InvariantCulture);
        return $"{ns}.{eventName}.cron.{minute}";
    }

    /// <summary>
    /// Flow-output: <c>{ns}.{event}.after.{upstream run id}</c>. When that would be longer than <see cref="MaxLength"/>
    /// (chains of chains) or the upstream id holds characters an id may not, the upstream part becomes
    /// <c>h{hash}</c>, so ids stay bounded and still deterministic.
    /// </summary>
    public static string ForFlowOutput(string ns, string eventName, string upstreamRunId)
    {
        var prefix = $"{ns}.{eventName}.after.";
        return prefix.Length + upstreamRunId.Length <= MaxLength && IsSafe(upstreamRunId) && upstreamRunId.Length > 0
            ? prefix + upstreamRunId
            : prefix + "h" + Hash(upstreamRunId, 32);
    }

    /// <summary>Webhook with an <c>Idempotency-Key</c>: <c>{ns}.{event}.key.{first 32 hex of SHA-256(key)}</c>.</summary>
    public static string ForIdempotencyKey(string ns, string eventName, string key) =>
        $"{ns}.{eventName}.key.{Hash(key, 32)}";

    /// <summary>Webhook without a key: <c>{ns}.{event}.{128 random bits as hex}</c>, a fresh id each call.</summary>
    public static string NewWebhook(string ns, string eventName) =>
        $"{ns}.{eventName}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";

    /// <summary>
    /// The id a target's flow run reports back on <c>flow-completed</c>: <c>{runId}.{pipeline}</c>, deterministic, so the
    /// dispatcher can route a completion to the run waiting for it (hashed when it would exceed the length bound).
    /// </summary>
    public static string CorrelationId(string runId, string pipeline)
    {
        var id = runId + "." + pipeline;
        return id.Length <= MaxCorrelationLength && IsSafe(id) ? id : "h" + Hash(id, 40);
    }

    /// <summary>True when <paramref name="id"/> is non-empty, bounded and uses only id characters.</summary>
    public static bool IsValid(string? id) => !string.IsNullOrEmpty(id) && id.Length <= MaxCorrelationLength && IsSafe(id);

    private static bool IsSafe(string s)
    {
        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Hash(string value, int hexChars) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..hexChars];
}
