using System.Diagnostics.Metrics;

namespace Arkonis.Dispatcher.Diagnostics;

/// <summary>The trigger API's and the runs' instruments, on the <see cref="DispatcherMeter"/>; tags stay low-cardinality.</summary>
public sealed class DispatcherMetrics
{
    public const string MeterName = DispatcherMeter.Name;

    private readonly Counter<long> _fires;
    private readonly Counter<long> _runs;
    private readonly Counter<long> _completions;
    private readonly Histogram<double> _syncWait;

    public DispatcherMetrics(IMeterFactory meterFactory)
    {
        var meter = DispatcherMeter.From(meterFactory);
        _fires = meter.CreateCounter<long>("arkevent.trigger.requests", "{request}", "Trigger API requests by outcome.");
        _runs = meter.CreateCounter<long>("arkevent.runs.launched", "{run}", "Run launches by cause and outcome.");
        _completions = meter.CreateCounter<long>("arkevent.flow_completions", "{message}", "flow-completed messages by outcome.");
        _syncWait = meter.CreateHistogram<double>("arkevent.sync.wait", "s", "How long sync fires waited for their run.");
    }

    public void Request(string mode, int status) =>
        _fires.Add(1, new KeyValuePair<string, object?>("mode", mode), new KeyValuePair<string, object?>("status", status));

    public void RunLaunched(string cause, string outcome) =>
        _runs.Add(1, new KeyValuePair<string, object?>("cause", cause), new KeyValuePair<string, object?>("outcome", outcome));

    public void CompletionReceived(string outcome) =>
        _completions.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void SyncWaited(TimeSpan waited, string outcome) =>
        _syncWait.Record(waited.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
}
