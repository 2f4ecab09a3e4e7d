using System.Collections;

namespace Arkonis.Embedded.Runtime;

/// <summary>
/// What the embedded runtime records for tests and for a look while it runs (deliveries, starts, secret reads, flow
/// starts): the latest <see cref="Capacity"/> entries, oldest first. The runtime also serves <c>arkevent run</c> for
/// days, so it keeps a bounded tail rather than every entry since it started; a test reads far fewer than that.
/// </summary>
public sealed class RecentQueue<T>(int capacity) : IReadOnlyCollection<T>
{
    private readonly Queue<T> _items = new();
    private readonly Lock _lock = new();

    public RecentQueue()
        : this(RecentQueue.DefaultCapacity)
    {
    }

    /// <summary>How many entries are kept; the oldest goes when one more is added.</summary>
    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), "must be positive");

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public bool IsEmpty => Count == 0;

    public void Add(T item)
    {
        lock (_lock)
        {
            _items.Enqueue(item);
            if (_items.Count > Capacity)
            {
                _items.Dequeue();
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _items.Clear();
        }
    }

    /// <summary>Enumerates a snapshot: entries added meanwhile are not seen, and adding never breaks a reader.</summary>
    public IEnumerator<T> GetEnumerator()
    {
        T[] snapshot;
        lock (_lock)
        {
            snapshot = [.. _items];
        }
        return ((IEnumerable<T>)snapshot).GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>The default bound of <see cref="RecentQueue{T}"/>.</summary>
public static class RecentQueue
{
    /// <summary>Entries kept per record: a few MB at most, far more than any test reads.</summary>
    public const int DefaultCapacity = 10_000;
}
