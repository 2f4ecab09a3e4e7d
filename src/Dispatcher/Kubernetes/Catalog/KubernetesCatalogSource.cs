using System.Text.Json;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Kubernetes.Watching;
using k8s;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Kubernetes.Catalog;

/// <summary>
/// The Kubernetes source of the catalog: lists and watches ArkEvents in all namespaces (or in the configured ones)
/// and writes each, defaulted and validated, into <see cref="ArkEventCatalog"/>. While the API server is away the
/// catalog keeps its last good state; after a re-list it is replaced by the fresh listing.
/// <para>
/// A terminating ArkEvent (<c>metadata.deletionTimestamp</c> set: a finalizer holds it, or its dependents are being
/// deleted in the foreground) is absent from the catalog: it no longer fires or continues, and the reconciler does
/// not re-create the token Secret the garbage collector is deleting, nor anything else under a dying owner.
/// </para>
/// </summary>
internal sealed class KubernetesCatalogSource(
    ArkEventCatalog catalog,
    CatalogSyncState syncState,
    ListWatchLoop loop,
    IOptions<KubernetesModeOptions> options,
    TimeProvider time,
    ILogger<KubernetesCatalogSource> logger) : BackgroundService, IListWatchHandler
{
    private readonly Lock _writeLock = new();

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var scopes = options.Value.Namespaces.Count == 0
            ? [new WatchScope(ArkonisNames.ArkEvents, null)]
            : options.Value.Namespaces.Distinct().Select(ns => new WatchScope(ArkonisNames.ArkEvents, ns)).ToList();
        syncState.Expect(scopes.Count);
        return Task.WhenAll(scopes.Select(scope => loop.RunAsync(scope, this, stoppingToken)));
    }

    public Task OnListedAsync(WatchScope scope, IReadOnlyList<JsonElement> items, CancellationToken cancellationToken)
    {
        var fresh = new List<CatalogEntry>(items.Count);
        foreach (var item in items)
        {
            if (!IsTerminating(item) && TryAssess(item) is { } entry)
            {
                fresh.Add(entry);
            }
        }
        lock (_writeLock)
        {
            // Entries whose object did not change keep their identity, so the catalog reports no change for them.
            var kept = catalog.Entries.Where(e => scope.Namespace is not null && e.Namespace != scope.Namespace);
            var merged = fresh.Select(e => catalog.Find(e.Namespace, e.Name) is { } old && SameVersion(old, e) ? old : e);
            catalog.ReplaceAll(kept.Concat(merged).ToList());
        }
        syncState.MarkSynced(scope.ToString());
        return Task.CompletedTask;
    }

    public Task OnEventAsync(WatchScope scope, WatchEventType type, JsonElement item, CancellationToken cancellationToken)
    {
        if (TryAssess(item) is not { } entry)
        {
            return Task.CompletedTask;
        }
        // Same lock as the re-list of another namespace, which rewrites the whole catalog.
        lock (_writeLock)
        {
            if (type == WatchEventType.Deleted || IsTerminating(item))
            {
                catalog.Remove(entry.Namespace, entry.Name);
            }
            else
            {
                catalog.Upsert(entry);
            }
        }
        return Task.CompletedTask;
    }

    private CatalogEntry? TryAssess(JsonElement item)
    {
        try
        {
            var entry = ArkEventAssessment.Assess(item, time);
            if (entry.Problems.Count > 0)
            {
                KubernetesLog.InvalidArkEvent(logger, entry.Namespace, entry.Name, string.Join("; ", entry.Problems));
            }
            return entry;
        }
        catch (JsonException e)
        {
            // A shape the CRD schema should have refused; skip it rather than stop the watch.
            KubernetesLog.UnreadableArkEvent(logger, e);
            return null;
        }
    }

    private static bool IsTerminating(JsonElement item) =>
        item.TryGetProperty("metadata", out var metadata)
        && metadata.TryGetProperty("deletionTimestamp", out var deletion)
        && deletion.ValueKind == JsonValueKind.String;

    private static bool SameVersion(CatalogEntry a, CatalogEntry b) =>
        a.Event.Metadata.ResourceVersion is { } rv && rv == b.Event.Metadata.ResourceVersion && a.Event.Metadata.Uid == b.Event.Metadata.Uid;
}

/// <summary>Whether every watched scope has been listed at least once (readiness).</summary>
public sealed class CatalogSyncState
{
    private readonly HashSet<string> _synced = [];
    private int _expected = 1;

    public bool IsSynced
    {
        get
        {
            lock (_synced)
            {
                return _synced.Count >= _expected;
            }
        }
    }

    internal void Expect(int scopes)
    {
        lock (_synced)
        {
            _expected = scopes;
        }
    }

    internal void MarkSynced(string scope)
    {
        lock (_synced)
        {
            _synced.Add(scope);
        }
    }
}
