using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace Arkonis.Dispatcher.Runs;

/// <summary>
/// The claim-check for a run's large payloads (the webhook body, the upstream output, each target's output). A run's
/// workflow history holds every input, activity input, raised event and result, and the workflow worker receives that
/// history as one gRPC message (4 MB by default): a payload copied into it once per target would wedge the run. So a
/// payload above <see cref="RunOptions.InlinePayloadBytes"/> is stored once in the state store, keyed by the run, and the
/// history carries only a <see cref="PayloadRefs">reference</see>.
/// </summary>
public interface IRunPayloads
{
    /// <summary>Stores <paramref name="payload"/> under <paramref name="key"/>; the same key always holds the same payload.</summary>
    Task SaveAsync(string key, JsonNode payload, CancellationToken cancellationToken);

    /// <summary>The payload, or null when it is gone (never stored, or expired with the run's retention).</summary>
    Task<JsonNode?> LoadAsync(string key, CancellationToken cancellationToken);
}

/// <summary>References to stored payloads: a JSON object with the single member <c>$arkevent.claimCheck</c>.</summary>
public static class PayloadRefs
{
    public const string Member = "$arkevent.claimCheck";

    /// <summary>The key of a run's trigger payload (<c>body</c> or <c>output</c>).</summary>
    public static string TriggerKey(string runId, string part) => $"arkevent-run.{runId}.{part}";

    /// <summary>The key of one target's output (by its correlation id, which starts with the run id).</summary>
    public static string TargetOutputKey(string correlationId) => $"arkevent-run.{correlationId}.result";

    public static JsonObject Ref(string key) => new() { [Member] = key };

    public static bool TryGetKey(JsonNode? node, [NotNullWhen(true)] out string? key)
    {
        key = null;
        if (node is JsonObject { Count: 1 } obj && obj.TryGetPropertyValue(Member, out var value) &&
            value is JsonValue v && v.TryGetValue(out string? s) && !string.IsNullOrEmpty(s))
        {
            key = s;
        }
        return key is not null;
    }

    /// <summary>UTF-8 size of the payload as JSON.</summary>
    public static long SizeOf(JsonNode? node) =>
        node is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(node.ToJsonString());

    /// <summary>Stores <paramref name="payload"/> when it is larger than <paramref name="inlineBytes"/>; returns what the history carries.</summary>
    public static async Task<JsonNode?> OffloadAsync(
        IRunPayloads store, string key, JsonNode? payload, int inlineBytes, CancellationToken cancellationToken)
    {
        if (payload is null || SizeOf(payload) <= inlineBytes)
        {
            return payload;
        }
        await store.SaveAsync(key, payload, cancellationToken);
        return Ref(key);
    }

    /// <summary>The payload a reference stands for (null when it is gone); any other node as it is.</summary>
    public static async Task<(JsonNode? Payload, bool Missing)> ResolveAsync(
        IRunPayloads store, JsonNode? node, CancellationToken cancellationToken)
    {
        if (!TryGetKey(node, out var key))
        {
            return (node, false);
        }
        var payload = await store.LoadAsync(key, cancellationToken);
        return (payload, payload is null);
    }
}
