using System.Collections.Immutable;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Model.Resources;

namespace Arkonis.Dispatcher.Triggers.FlowOutput;

/// <summary>The valid flow-output ArkEvents by (namespace, watched flow), kept current from the catalog's changes.</summary>
public sealed class FlowOutputIndex : IDisposable
{
    private readonly ArkEventCatalog _catalog;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Namespace, string Flow), ImmutableArray<ArkEvent>> _byFlow = [];

    public FlowOutputIndex(ArkEventCatalog catalog)
    {
        _catalog = catalog;
        _catalog.Changed += OnChanged;
        foreach (var entry in _catalog.Entries)
        {
            OnChanged(new CatalogChange(null, entry));
        }
    }

    /// <summary>The flow-output events in <paramref name="namespace"/> that watch <paramref name="flow"/>.</summary>
    public ImmutableArray<ArkEvent> Watching(string @namespace, string flow)
    {
        lock (_lock)
        {
            return _byFlow.GetValueOrDefault((@namespace, flow), []);
        }
    }

    public void Dispose() => _catalog.Changed -= OnChanged;

    private void OnChanged(CatalogChange change)
    {
        lock (_lock)
        {
            if (change.Before is { } before && WatchedFlow(before) is { } oldKey)
            {
                Remove(oldKey, before.Name);
            }
            // The catalog may report an upsert without a Before (initial listing): drop any stale copy by name.
            if (change.After is { } after)
            {
                if (WatchedFlow(after) is { } newKey)
                {
                    Remove(newKey, after.Name);
                    _byFlow[newKey] = _byFlow.GetValueOrDefault(newKey, []).Add(after.Event);
                }
            }
        }
    }

    private void Remove((string, string) key, string name)
    {
        if (_byFlow.TryGetValue(key, out var events))
        {
            var kept = events.RemoveAll(e => e.Name == name);
            if (kept.IsEmpty)
            {
                _byFlow.Remove(key);
            }
            else
            {
                _byFlow[key] = kept;
            }
        }
    }

    private static (string, string)? WatchedFlow(CatalogEntry entry) =>
        entry.IsValid && entry.Event.Spec.Source is { Type: SourceTypes.FlowOutput, Flow: { Length: > 0 } flow }
            ? (entry.Namespace, flow)
            : null;
}
