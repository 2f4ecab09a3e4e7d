using System.Globalization;
using System.Text.Json.Nodes;

namespace Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

/// <summary>
/// Deletion as kube-apiserver and its garbage collector do it. A delete of an object with finalizers, or in the
/// foreground, only marks it: <c>deletionTimestamp</c> set, <c>generation</c> bumped, foreground adds the
/// <c>foregroundDeletion</c> finalizer; the object goes when its last finalizer is removed
/// (<c>staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go</c>, Delete and
/// updateForGracefulDeletionAndFinalizers, which bumps the generation of kinds without graceful deletion, as
/// <c>staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go</c> BeforeDelete notes). Dependents (owner references)
/// are collected afterwards by the garbage collector (<c>pkg/controller/garbagecollector/garbagecollector.go</c>):
/// background = after the owner is gone, foreground = while the owner waits, which then loses its
/// <c>foregroundDeletion</c> finalizer. The collector runs right after each change unless
/// <see cref="PauseGarbageCollector"/>; then <see cref="CollectGarbage"/> runs it.
/// </summary>
public sealed partial class KubeApiStandIn
{
    private const string ForegroundFinalizer = "foregroundDeletion";

    // Owners (namespace, uid) whose dependents are still to be deleted.
    private readonly HashSet<(string Namespace, string Uid)> _goneOwners = [];
    private bool _collecting;

    /// <summary>Holds the garbage collector: dependents of deleted owners stay until <see cref="CollectGarbage"/>.</summary>
    public bool PauseGarbageCollector { get; set; }

    /// <summary>Runs the garbage collector once (whether paused or not).</summary>
    public void CollectGarbage()
    {
        lock (_lock)
        {
            CollectGarbageLocked();
        }
    }

    // ---- call with _lock held ----

    /// <summary>A delete request; returns the object when it stays (terminating), null when it is gone.</summary>
    private JsonObject? DeleteRequested(string plural, string ns, string name, string propagationPolicy)
    {
        if (!_objects.TryGetValue((plural, ns, name), out var stored))
        {
            return null;
        }
        var finalizers = Finalizers(stored);
        if (propagationPolicy == "Foreground" && !finalizers.Contains(ForegroundFinalizer))
        {
            finalizers.Add(ForegroundFinalizer);
        }
        if (finalizers.Count == 0)
        {
            DeleteLocked(plural, ns, name);
            return null;
        }
        var metadata = stored["metadata"]!.AsObject();
        if (metadata["deletionTimestamp"] is null || finalizers.Count != Finalizers(stored).Count)
        {
            var next = stored.DeepClone().AsObject();
            var nextMetadata = next["metadata"]!.AsObject();
            nextMetadata["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode)JsonValue.Create(f))]);
            if (nextMetadata["deletionTimestamp"] is null)
            {
                nextMetadata["deletionTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                nextMetadata["deletionGracePeriodSeconds"] = 0;
                if (nextMetadata["generation"] is { } generation)
                {
                    nextMetadata["generation"] = long.Parse(generation.ToJsonString(), CultureInfo.InvariantCulture) + 1;
                }
            }
            nextMetadata["resourceVersion"] = Rv(++_resourceVersion);
            _objects[(plural, ns, name)] = next;
            Publish("MODIFIED", plural, next);
        }
        RunGarbageCollector();
        return _objects.TryGetValue((plural, ns, name), out var current) ? current : null;
    }

    /// <summary>Removes the object now (no finalizers left) and leaves its dependents to the garbage collector.</summary>
    private void DeleteLocked(string plural, string ns, string name)
    {
        if (!_objects.Remove((plural, ns, name), out var obj))
        {
            return;
        }
        obj = obj.DeepClone().AsObject();
        obj["metadata"]!["resourceVersion"] = Rv(++_resourceVersion);
        Publish("DELETED", plural, obj);
        if ((string?)obj["metadata"]!["uid"] is { } uid)
        {
            _goneOwners.Add((ns, uid));
        }
        RunGarbageCollector();
    }

    private void RunGarbageCollector()
    {
        if (!PauseGarbageCollector)
        {
            CollectGarbageLocked();
        }
    }

    private void CollectGarbageLocked()
    {
        if (_collecting)
        {
            return; // the running pass picks up what this change added
        }
        _collecting = true;
        try
        {
            bool progress;
            do
            {
                progress = false;
                foreach (var owner in _goneOwners.ToList())
                {
                    _goneOwners.Remove(owner);
                    foreach (var (p, n, dependent) in DependentsOf(owner.Namespace, owner.Uid))
                    {
                        DeleteRequested(p, n, dependent, "Background");
                        progress = true;
                    }
                }
                foreach (var (key, waiting) in _objects.Where(o => Finalizers(o.Value).Contains(ForegroundFinalizer)).ToList())
                {
                    var uid = (string)waiting["metadata"]!["uid"]!;
                    var dependents = DependentsOf(key.Namespace, uid);
                    foreach (var (p, n, dependent) in dependents)
                    {
                        DeleteRequested(p, n, dependent, "Background");
                    }
                    if (DependentsOf(key.Namespace, uid).Count == 0)
                    {
                        var next = waiting.DeepClone().AsObject();
                        next["metadata"]!["finalizers"] = new JsonArray([.. Finalizers(waiting).Where(f => f != ForegroundFinalizer).Select(f => (JsonNode)JsonValue.Create(f))]);
                        StoreUpdate(key.Plural, key.Namespace, key.Name, waiting, next);
                        progress = true;
                    }
                }
            }
            while (progress);
        }
        finally
        {
            _collecting = false;
        }
    }

    private List<(string Plural, string Namespace, string Name)> DependentsOf(string ns, string uid) =>
        [.. _objects.Where(o => o.Key.Namespace == ns
                && o.Value["metadata"]?["ownerReferences"] is JsonArray owners
                && owners.Any(r => (string?)r?["uid"] == uid))
            .Select(o => o.Key)];

    private static List<string> Finalizers(JsonObject obj) =>
        obj["metadata"]?["finalizers"] is JsonArray finalizers ? [.. finalizers.Select(f => (string)f!)] : [];
}
