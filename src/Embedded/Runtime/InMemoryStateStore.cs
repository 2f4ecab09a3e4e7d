using System.Globalization;
using Google.Protobuf;
using Grpc.Core;

namespace Arkonis.Embedded.Runtime;

/// <summary>One stored value and its ETag.</summary>
public sealed record StateItem(ByteString Value, string ETag);

/// <summary>One write of a save, delete or transaction.</summary>
public sealed record StateChange(string Key, ByteString? Value, string? ETag)
{
    public static StateChange Upsert(string key, ByteString value, string? etag) => new(key, value, etag);

    public static StateChange Delete(string key, string? etag) => new(key, null, etag);
}

/// <summary>
/// The state store (<c>state.in-memory</c>): keys to values with ETags. As in daprd, a write that carries an ETag
/// succeeds only while the stored ETag is that one, else the whole request fails with <c>Aborted</c> (which
/// <c>DaprClient.TrySaveStateAsync</c> reads as false); the writes of one request apply together or not at all.
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
