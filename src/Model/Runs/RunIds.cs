using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Arkonis.Model.Runs;

/// <summary>
/// Run ids: deterministic where the cause is, so a replay, a redelivery, a second replica or a restart maps to the
/// same Dapr workflow instance and can never fire twice.
/// <para>
/// A run id is a Dapr workflow instance id, so it follows Dapr's own rule for them: letters, digits, <c>_</c> and
/// <c>-</c>, at most <see cref="MaxLength"/> (64) characters (dapr/dapr <c>pkg/api/universal/workflow.go</c>,
/// <c>validateInstanceID</c>). Shape: a readable part, <c>{ns}_{event}_{cause}</c>, then <c>_</c> and a hash of the whole
/// cause (or, for a webhook without a key, 128 random bits). Namespace and event names are DNS labels (no <c>_</c>), so
/// the parts stay readable in logs; when the names are long the readable part is cut, and the hash, taken over the
/// full cause, keeps the id unique.
/// </para>
/// </summary>
public static class RunIds
{
    /// <summary>The longest run id: Dapr's limit for a workflow instance id.</summary>
    public const int MaxLength = 64;

    /// <summary>The longest id an earlier version made (they are still read: runs in flight, status links).</summary>
    public const int LegacyMaxLength = 200;

    /// <summary>The longest correlation id: a run id, a dot and a pipeline name (a DNS label, at most 63).</summary>
    public const int MaxCorrelationLength = LegacyMaxLength + 64;

    /// <summary>Hex characters of the cause hash: 64 bits, over the full cause.</summary>
    private const int HashChars = 16;

    /// <summary>Cron: <c>{ns}_{event}_cron_{scheduled UTC minute, yyyyMMddTHHmmZ}_{hash}</c>.</summary>
    public static string ForCron(string ns, string eventName, DateTimeOffset scheduledUtc)
    {
        var minute = scheduledUtc.UtcDateTime.ToString("yyyyMMdd'T'HHmm'Z'", CultureInfo.InvariantCulture);
        return Deterministic(ns, eventName, "cron_" + minute, minute);
    }

    /// <summary>
    /// Flow-output: <c>{ns}_{event}_after_{hash of the upstream run id}</c>. Chains of chains stay bounded, and any
    /// upstream id (whatever its characters) maps to one run.
    /// </summary>
    public static string ForFlowOutput(string ns, string eventName, string upstreamRunId) =>
        Deterministic(ns, eventName, "after", upstreamRunId);

    /// <summary>Webhook with an <c>Idempotency-Key</c>: <c>{ns}_{event}_key_{hash of the key}</c>.</summary>
    public static string ForIdempotencyKey(string ns, string eventName, string key) =>
        Deterministic(ns, eventName, "key", key);

    /// <summary>Webhook without a key: <c>{ns}_{event}_{128 random bits as hex}</c>, a fresh id each call.</summary>
    public static string NewWebhook(string ns, string eventName)
    {
        var random = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        return Readable(ns, eventName, null, MaxLength - random.Length - 1) + "_" + random;
    }

    /// <summary>
    /// The id a target's flow run reports back on <c>flow-completed</c>: <c>{runId}.{pipeline}</c>, deterministic, so the
    /// dispatcher can route a completion to the run waiting for it (hashed when it would exceed the length bound).
    /// Run ids hold no dot, so the run id is everything before the last one.
    /// </summary>
    public static string CorrelationId(string runId, string pipeline)
    {
        var id = runId + "." + pipeline;
        return id.Length <= MaxCorrelationLength && IsSafe(id, allowDot: true) ? id : "h" + Hash(id, 40);
    }

    /// <summary>
    /// True when <paramref name="id"/> is an id this dispatcher makes or made: today's run ids and correlation ids, and
    /// the dotted run ids of earlier versions (up to 200 characters), which runs started before an upgrade still carry.
    /// </summary>
    public static bool IsValid(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxCorrelationLength && IsSafe(id, allowDot: true);

    /// <summary>
    /// True when Dapr's workflow API would accept <paramref name="id"/> as a new instance id: letters, digits, <c>_</c>,
    /// <c>-</c>, at most 64 characters (dapr/dapr <c>pkg/api/universal/workflow.go</c>). Every run id made here is one.
    /// </summary>
    public static bool IsWorkflowInstanceId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxLength && IsSafe(id, allowDot: false);

    private static string Deterministic(string ns, string eventName, string cause, string detail)
    {
        // The hash covers every part, each length-prefixed, so no two causes share it even when the readable part is cut.
        var hash = Hash($"{ns.Length}:{ns}|{eventName.Length}:{eventName}|{cause}|{detail}", HashChars);
        return Readable(ns, eventName, cause, MaxLength - HashChars - 1) + "_" + hash;
    }

    /// <summary><c>{ns}_{event}[_{cause}]</c> in at most <paramref name="budget"/> characters; the names give way first.</summary>
    private static string Readable(string ns, string eventName, string? cause, int budget)
    {
        var tail = cause is null ? string.Empty : "_" + cause;
        var names = Clean(ns) + "_" + Clean(eventName);
        var room = Math.Max(0, budget - tail.Length);
        return (names.Length <= room ? names : names[..room]) + tail;
    }

    /// <summary>Names are DNS labels already; anything else (never expected) becomes <c>-</c>, keeping the id valid.</summary>
    private static string Clean(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(chars[i]) || chars[i] == '-'))
            {
                chars[i] = '-';
            }
        }
        return new string(chars);
    }

    private static bool IsSafe(string s, bool allowDot)
    {
        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || (allowDot && c == '.')))
            {
                return false;
            }
        }

        return true;
    }

    private static string Hash(string value, int hexChars) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..hexChars];
}
