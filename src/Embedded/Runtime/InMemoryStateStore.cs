using System.Globalization;
using Google.Protobuf;
using Grpc.Core;

namespace Arkonis.Embedded.Runtime;

/// <summary>One stored value and its ETag.</summary>
public sealed record StateItem(ByteString Value, string ETag);

/// <summary>
/// One write of a save, delete or transaction. <see cref="FirstWrite"/>: the request's concurrency is first-write, so
/// without an ETag the write inserts only when the key is absent. <see cref="TtlInSeconds"/>: the request's
/// <c>ttlInSeconds</c> metadata; zero or less keeps the value until it is overwritten or deleted.
/// </summary>
public sealed record StateChange(string Key, ByteString? Value, string? ETag, bool FirstWrite = false, int TtlInSeconds = 0)
{
    public static StateChange Upsert(string key, ByteString value, string? etag, bool firstWrite = false, int ttlInSeconds = 0) =>
        new(key, value, etag, firstWrite, ttlInSeconds);

    public static StateChange Delete(string key, string? etag) => new(key, null, etag);

    /// <summary>
    /// The <c>ttlInSeconds</c> of a request's metadata as <c>state.in-memory</c> reads it (components-contrib
    /// <c>state/in-memory/in_memory.go</c>, <c>doParseTTLInSeconds</c>): absent or empty is none, a negative value
    /// (-1) is none too, anything but an integer fails the request.
    /// </summary>
    public static int TtlOf(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("ttlInSeconds", out var text) || text.Length == 0)
        {
            return 0;
        }
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            // daprd wraps the component's error: ErrStateSave, Internal.
            throw new RpcException(new Status(StatusCode.Internal,
                $"failed saving state in state store: strconv.Atoi: parsing \"{text}\": invalid syntax"));
        }
        return Math.Max(seconds, 0);
    }
}

/// <summary>
/// The state store (<c>state.in-memory</c>): keys to values with ETags. As in daprd, a write that carries an ETag
/// succeeds only while the stored ETag is that one, else the whole request fails with <c>Aborted</c> (which
/// <c>DaprClient.TrySaveStateAsync</c> reads as false); the writes of one request apply together or not at all. A
/// first-write save without an ETag fails the same way when the key exists (components-contrib
/// <c>state/in-memory/in_memory.go</c>: "item already exists and no etag was passed"): the dispatcher's run-id claim.
/// A save with <c>ttlInSeconds</c> expires as the component's do (same file: an expiry per key, <c>doSet</c>; a read
/// of an expired key finds nothing and removes it, <c>doGetWithWriteLock</c>; a clean-up every second removes the
/// rest, <c>startCleanThread</c>), on the runtime's clock. An expired key is absent to the ETag and first-write
/// checks too: the component's checks look at the map, so there a key expired less than a second ago and not yet
/// swept would still count; here it counts as gone at once, as reads already see it.
/// </summary>
public sealed class InMemoryStateStore : IDisposable
{
    /// <summary>How often expired keys are removed (the component's clean-up runs every second).</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, Entry> _items = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;
    private long _version;

    public InMemoryStateStore(TimeProvider time)
    {
        _time = time;
        _sweep = time.CreateTimer(_ => Sweep(), null, SweepInterval, SweepInterval);
    }

    public StateItem? Get(string key)
    {
        lock (_lock)
        {
            return Live(key)?.Item;
        }
    }

    /// <summary>Every stored key that has not expired (for tests that look at what was stored).</summary>
    public IReadOnlyList<string> Keys()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            return [.. _items.Where(i => !i.Value.ExpiredAt(now)).Select(i => i.Key)];
        }
    }

    /// <summary>How many keys the store holds in memory, expired ones not yet swept included.</summary>
    public int Held
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public void Apply(IEnumerable<StateChange> changes)
    {
        var list = changes.ToList();
        lock (_lock)
        {
            foreach (var change in list)
            {
                var current = Live(change.Key);
                if (!string.IsNullOrEmpty(change.ETag) && current?.Item.ETag != change.ETag)
                {
                    throw new RpcException(new Status(StatusCode.Aborted,
                        $"failed saving state in state store: possible etag mismatch. error from state store: ETag mismatch for key {change.Key}"));
                }
                if (string.IsNullOrEmpty(change.ETag) && change.FirstWrite && change.Value is not null && current is not null)
                {
                    throw new RpcException(new Status(StatusCode.Aborted,
                        $"failed saving state in state store: possible etag mismatch. error from state store: item already exists and no etag was passed for key {change.Key}"));
                }
            }
            var now = _time.GetUtcNow();
            foreach (var change in list)
            {
                if (change.Value is null)
                {
                    _items.Remove(change.Key);
                }
                else
                {
                    var item = new StateItem(change.Value, (++_version).ToString(CultureInfo.InvariantCulture));
                    _items[change.Key] = new Entry(item, change.TtlInSeconds > 0 ? now.AddSeconds(change.TtlInSeconds) : null);
                }
            }
        }
    }

    /// <summary>Removes every expired key (the component's periodic clean-up).</summary>
    internal void Sweep()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            foreach (var (key, entry) in _items)
            {
                if (entry.ExpiredAt(now))
                {
                    _items.Remove(key);
                }
            }
        }
    }

    public void Dispose() => _sweep.Dispose();

    /// <summary>The key's entry unless it expired, in which case it goes now. Under the lock.</summary>
    private Entry? Live(string key)
    {
        if (!_items.TryGetValue(key, out var entry))
        {
            return null;
        }
        if (entry.ExpiredAt(_time.GetUtcNow()))
        {
            _items.Remove(key);
            return null;
        }
        return entry;
    }

    /// <summary>A value and when it expires (null: never).</summary>
    private sealed record Entry(StateItem Item, DateTimeOffset? ExpiresAt)
    {
        // The component: expired once the clock is past the expiry (isExpired, "now > expire").
        public bool ExpiredAt(DateTimeOffset now) => ExpiresAt is { } at && now > at;
    }
}
