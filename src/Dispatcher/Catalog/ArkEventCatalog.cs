using System.Collections.Immutable;
using Arkonis.Model.Resources;

namespace Arkonis.Dispatcher.Catalog;

/// <summary>An ArkEvent as the catalog knows it: the object, and why it cannot fire if it cannot.</summary>
public sealed record CatalogEntry(ArkEvent Event, IReadOnlyList<string> Problems)
{
    public bool IsValid => Problems.Count == 0;

    public string Namespace => Event.Namespace;

    public string Name => Event.Name;
}

/// <summary>What changed in the catalog.</summary>
public sealed record CatalogChange(CatalogEntry? Before, CatalogEntry? After);

/// <summary>
/// The ArkEvents the dispatcher serves. Sources (a YAML directory locally, a Kubernetes watch in a cluster)
/// write into it; triggers read immutable snapshots of it, so reads never lock.
/// </summary>
public sealed class ArkEventCatalog
{
    private ImmutableDictionary<(string Namespace, string Name), CatalogEntry> _entries =
        ImmutableDictionary<(string, string), CatalogEntry>.Empty;

    private readonly Lock _writeLock = new();

    public event Action<CatalogChange>? Changed;

    public IReadOnlyCollection<CatalogEntry> Entries => [.. Volatile.Read(ref _entries).Values];

    public CatalogEntry? Find(string @namespace, string name) =>
        Volatile.Read(ref _entries).GetValueOrDefault((@namespace, name));

    public void Upsert(CatalogEntry entry)
    {
        CatalogEntry? before;
        lock (_writeLock)
        {
            before = _entries.GetValueOrDefault((entry.Namespace, entry.Name));
            Volatile.Write(ref _entries, _entries.SetItem((entry.Namespace, entry.Name), entry));
        }
        Changed?.Invoke(new CatalogChange(before, entry));
    }

    /// <summary>
    /// Compare-and-swap: replaces the entry only while the catalog still holds the object <paramref name="expectedUid"/> at
    /// <paramref name="expectedResourceVersion"/>, so a write based on that object never replaces a newer one a source
    /// delivered meanwhile. Resource versions are compared for equality only: the API contract makes them opaque.
    /// </summary>
    public bool ReplaceIfUnchanged(CatalogEntry replacement, string? expectedUid, string? expectedResourceVersion)
    {
        CatalogEntry? before;
        lock (_writeLock)
        {
            before = _entries.GetValueOrDefault((replacement.Namespace, replacement.Name));
            if (before is null || expectedResourceVersion is null
                || before.Event.Metadata.ResourceVersion != expectedResourceVersion || before.Event.Metadata.Uid != expectedUid)
            {
                return false;
            }
            Volatile.Write(ref _entries, _entries.SetItem((replacement.Namespace, replacement.Name), replacement));
        }
        Changed?.Invoke(new CatalogChange(before, replacement));
        return true;
    }

    public bool Remove(string @namespace, string name)
    {
        CatalogEntry? before;
        lock (_writeLock)
        {
            before = _entries.GetValueOrDefault((@namespace, name));
            if (before is null)
            {
                return false;
            }
            Volatile.Write(ref _entries, _entries.Remove((@namespace, name)));
        }
        Changed?.Invoke(new CatalogChange(before, null));
        return true;
    }

    /// <summary>Replaces everything a source holds with a fresh listing (after a re-list or a directory rescan).</summary>
    public void ReplaceAll(IEnumerable<CatalogEntry> entries)
    {
        var next = entries.ToImmutableDictionary(e => (e.Namespace, e.Name));
        ImmutableDictionary<(string, string), CatalogEntry> before;
        lock (_writeLock)
        {
            before = _entries;
            Volatile.Write(ref _entries, next);
        }
        foreach (var (key, old) in before)
        {
            if (!next.TryGetValue(key, out var now))
            {
                Changed?.Invoke(new CatalogChange(old, null));
            }
            else if (!ReferenceEquals(old, now))
            {
                Changed?.Invoke(new CatalogChange(old, now));
            }
        }
        foreach (var (key, now) in next)
        {
            if (!before.ContainsKey(key))
            {
                Changed?.Invoke(new CatalogChange(null, now));
            }
        }
    }
}
