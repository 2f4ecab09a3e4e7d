using System.Diagnostics.Metrics;
using Arkonis.Dispatcher.Diagnostics;

namespace Arkonis.Dispatcher.Kubernetes;

/// <summary>The cluster-mode metrics, on the <see cref="DispatcherMeter"/>.</summary>
internal sealed class KubernetesModeMetrics
{
    private readonly Counter<long> _statusPatches;
    private readonly Counter<long> _statusConflicts;
    private readonly Counter<long> _events;
    private readonly Counter<long> _completions;

    public KubernetesModeMetrics(IMeterFactory meterFactory)
    {
        var meter = DispatcherMeter.From(meterFactory);
        _statusPatches = meter.CreateCounter<long>("arkevent.status.patches", "{patch}", "Status subresource patches sent, by kind (runs, reconcile).");
        _statusConflicts = meter.CreateCounter<long>("arkevent.status.conflicts", "{conflict}", "Status patches refused because another writer came first (retried).");
        _events = meter.CreateCounter<long>("arkevent.k8s_events", "{event}", "Kubernetes Events, by outcome (sent, suppressed, dropped) and reason.");
        _completions = meter.CreateCounter<long>("arkevent.completions.published", "{message}", "flow-completed messages published by the completion bridge.");
        Meter = meter;
    }

    public Meter Meter { get; }

    /// <summary>Observable gauges that read the leader state and catalog sync (registered once the services exist).</summary>
    public void Observe(Func<bool> isLeader, Func<bool> isSynced)
    {
        Meter.CreateObservableGauge("arkevent.leader", () => isLeader() ? 1 : 0, "{leader}", "1 while this replica is the reconciling leader.");
        Meter.CreateObservableGauge("arkevent.catalog.synced", () => isSynced() ? 1 : 0, null, "1 once every watched scope has been listed.");
    }

    public void StatusPatched(string kind) => _statusPatches.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void StatusConflict() => _statusConflicts.Add(1);

    public void EventSent(string reason) => _events.Add(1, new("outcome", "sent"), new("reason", reason));

    public void EventSuppressed(string reason) => _events.Add(1, new("outcome", "suppressed"), new("reason", reason));

    public void EventDropped(string reason) => _events.Add(1, new("outcome", "dropped"), new("reason", reason));

    public void CompletionPublished(string phase) => _completions.Add(1, new KeyValuePair<string, object?>("phase", phase));
}
