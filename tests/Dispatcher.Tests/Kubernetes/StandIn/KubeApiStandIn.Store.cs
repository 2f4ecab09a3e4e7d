using System.Globalization;
using System.Text.Json.Nodes;

namespace Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

/// <summary>
/// The object store: one resourceVersion counter for every kind (as etcd's revision), the change history watches
/// replay from, metadata the server owns (uid, creationTimestamp, generation), owner-reference garbage collection,
/// label selectors; and the test side's access to it (same rules as the HTTP side, minus authorization).
/// </summary>
public sealed partial class KubeApiStandIn
{
    private readonly Dictionary<(string Plural, string Namespace, string Name), JsonObject> _objects = [];
    private readonly List<(long ResourceVersion, string Type, string Plural, JsonObject Object)> _history = [];
    private long _resourceVersion = 100;
    private long _compactedBelow;

    /// <summary>Stores an object as a client's create would, but keeps its status (to seed finished flows, for example).</summary>
    public JsonObject Seed(string plural, JsonObject obj)
    {
        lock (_lock)
        {
            var copy = Admitted(plural, obj.DeepClone().AsObject()); // the CRD schema, as a create would (KubeApiStandIn.Schema)
            var ns = (string?)copy["metadata"]?["namespace"] ?? "default";
            var name = (string)copy["metadata"]!["name"]!;
            if (_objects.ContainsKey((plural, ns, name)))
            {
                throw new InvalidOperationException($"{plural} {ns}/{name} exists");
            }
            return StoreNew(plural, ns, name, copy);
        }
    }

    public JsonObject? Get(string plural, string @namespace, string name)
    {
        lock (_lock)
        {
            return _objects.TryGetValue((plural, @namespace, name), out var obj) ? obj.DeepClone().AsObject() : null;
        }
    }

    public IReadOnlyList<JsonObject> List(string plural, string? @namespace = null, string? labelSelector = null)
    {
        lock (_lock)
        {
            return [.. Matching(plural, @namespace, labelSelector).Select(o => o.DeepClone().AsObject())];
        }
    }

    /// <summary>Changes a stored object (as another client would) and tells the watchers.</summary>
    public JsonObject Update(string plural, string @namespace, string name, Action<JsonObject> mutate)
    {
        lock (_lock)
        {
            var stored = _objects[(plural, @namespace, name)];
            var next = stored.DeepClone().AsObject();
            mutate(next);
            return StoreUpdate(plural, @namespace, name, stored, next);
        }
    }

    /// <summary>
    /// Deletes as <c>kubectl delete --cascade=background|foreground</c> would: an object with finalizers (or deleted in
    /// the foreground) only gets its <c>deletionTimestamp</c> and stays until its finalizers are gone.
    /// </summary>
    public void Delete(string plural, string @namespace, string name, string propagationPolicy = "Background")
    {
        lock (_lock)
        {
            DeleteRequested(plural, @namespace, name, propagationPolicy);
        }
    }

    /// <summary>Forgets the change history: a watch from any older resourceVersion is now expired (410).</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _compactedBelow = _resourceVersion;
            _history.Clear();
        }
    }

    // ---- call with _lock held ----

    private JsonObject StoreNew(string plural, string ns, string name, JsonObject obj)
    {
        var type = ResourceType.ByPlural[plural];
        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = type.Kind;
        var metadata = obj["metadata"]!.AsObject();
        metadata["namespace"] = ns;
        metadata["uid"] ??= Guid.NewGuid().ToString();
        metadata["creationTimestamp"] ??= DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        if (type.IsCustom)
        {
            metadata["generation"] = 1;
        }
        metadata["resourceVersion"] = Rv(++_resourceVersion);
        _objects[(plural, ns, name)] = obj;
        Publish("ADDED", plural, obj);
        RunGarbageCollector(); // a dependent created under an owner that waits for its dependents goes at once
        return obj;
    }

    private JsonObject StoreUpdate(string plural, string ns, string name, JsonObject stored, JsonObject next)
    {
        var metadata = next["metadata"]!.AsObject();
        var old = stored["metadata"]!.AsObject();
        // deletionTimestamp is set by a delete only (registry/rest/delete.go BeforeDelete), never by an update.
        foreach (var immutable in new[] { "uid", "creationTimestamp", "namespace", "name", "deletionTimestamp", "deletionGracePeriodSeconds" })
        {
            if (old[immutable] is { } kept)
            {
                metadata[immutable] = kept.DeepClone();
            }
            else
            {
                metadata.Remove(immutable);
            }
        }
        if (ResourceType.ByPlural[plural].IsCustom)
        {
            // generation counts spec changes only (status and metadata writes leave it).
            var generation = old["generation"] is { } g ? long.Parse(g.ToJsonString(), CultureInfo.InvariantCulture) : 1;
            metadata["generation"] = JsonNode.DeepEquals(stored["spec"], next["spec"]) ? generation : generation + 1;
        }
        metadata["resourceVersion"] = Rv(++_resourceVersion);
        _objects[(plural, ns, name)] = next;
        Publish("MODIFIED", plural, next);
        if (metadata["deletionTimestamp"] is not null && Finalizers(next).Count == 0)
        {
            // The last finalizer of a terminating object is gone: now it is deleted (registry/generic/registry/store.go).
            DeleteLocked(plural, ns, name);
        }
        return next;
    }

    private IEnumerable<JsonObject> Matching(string plural, string? ns, string? labelSelector) =>
        _objects.Where(o => o.Key.Plural == plural && Matches(o.Value, ns, labelSelector))
            .OrderBy(o => o.Key.Namespace, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal)
            .Select(o => o.Value);

    /// <summary>In the namespace (any when null) and selected by the label selector (equality, inequality, exists, !exists).</summary>
    private static bool Matches(JsonObject obj, string? ns, string? labelSelector)
    {
        if (ns is not null && (string?)obj["metadata"]?["namespace"] != ns)
        {
            return false;
        }
        if (string.IsNullOrEmpty(labelSelector))
        {
            return true;
        }
        var labels = obj["metadata"]?["labels"] as JsonObject;
        foreach (var term in labelSelector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var ok = term switch
            {
                _ when term.StartsWith('!') => labels?.ContainsKey(term[1..]) != true,
                _ when term.Contains("!=", StringComparison.Ordinal) => (string?)labels?[term.Split("!=")[0]] != term.Split("!=")[1],
                _ when term.Contains('=', StringComparison.Ordinal) => (string?)labels?[term.Split('=')[0]] == term.Split('=')[^1],
                _ => labels?.ContainsKey(term) == true,
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }
}
