using System.Globalization;
using Google.Protobuf;
using Grpc.Core;

namespace Arkonis.Embedded.Runtime;

/// <summary>One stored value and its ETag.</summary>
public sealed record StateItem(ByteString Value, string ETag);

/// <summary>
/// One write of a save, delete or transaction. <see cref="FirstWrite"/>: the request's concurrency is first-write, so
/// without an ETag the write inserts only when the key is absent.
/// </summary>
public sealed record StateChange(string Key, ByteString? Value, string? ETag, bool FirstWrite = false)
{
    public static StateChange Upsert(string key, ByteString value, string? etag, bool firstWrite = false) => new(key, value, etag, firstWrite);

    public static StateChange Delete(string key, string? etag) => new(key, null, etag);
}

/// <summary>
/// The state store (<c>state.in-memory</c>): keys to values with ETags. As in daprd, a write that carries an ETag
/// succeeds only while the stored ETag is that one, else the whole request fails with <c>Aborted</c> (which
/// <c>DaprClient.TrySaveStateAsync</c> reads as false); the writes of one request apply together or not at all. A
/// first-write save without an ETag fails the same way when the key exists (components-contrib
/// <c>state/in-memory/in_memory.go</c>: "item already exists and no etag was passed"): the dispatcher's run-id claim.
/// </summary>
public sealed class InMemoryStateStore
{
    private readonly Dictionary<string, StateItem> _items = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _version;

    public StateItem? Get(string key)
    {
        lock (_lock)
        {
            return _items.GetValueOrDefault(key);
        }
    }

    /// <summary>Every stored key (for tests that look at what was stored).</summary>
    public IReadOnlyList<string> Keys()
    {
        lock (_lock)
        {
            return [.. _items.Keys];
        }
    }

    public void Apply(IEnumerable<StateChange> changes)
    {
        var list = changes.ToList();
        lock (_lock)
        {
            foreach (var change in list)
            {
                if (!string.IsNullOrEmpty(change.ETag) && (!_items.TryGetValue(change.Key, out var current) || current.ETag != change.ETag))
                {
                    throw new RpcException(new Status(StatusCode.Aborted,
                        $"failed saving state in state store: possible etag mismatch. error from state store: ETag mismatch for key {change.Key}"));
                }
                if (string.IsNullOrEmpty(change.ETag) && change.FirstWrite && change.Value is not null && _items.ContainsKey(change.Key))
                {
                    throw new RpcException(new Status(StatusCode.Aborted,
                        $"failed saving state in state store: possible etag mismatch. error from state store: item already exists and no etag was passed for key {change.Key}"));
                }
            }
            foreach (var change in list)
            {
                if (change.Value is null)
                {
                    _items.Remove(change.Key);
                }
                else
                {
                    _items[change.Key] = new StateItem(change.Value, (++_version).ToString(CultureInfo.InvariantCulture));
                }
            }
        }
    }
}
