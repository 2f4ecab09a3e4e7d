using System.Diagnostics.Metrics;
using Arkonis.Dispatcher.Diagnostics;

namespace Arkonis.Dispatcher.Triggers;

/// <summary>Metrics of the cron and flow-output triggers, on the <see cref="DispatcherMeter"/>.</summary>
public sealed class TriggerMetrics
{
    public const string MeterName = DispatcherMeter.Name;

    private readonly Counter<long> _fires;
    private readonly Counter<long> _skips;
    private readonly Histogram<double> _lateness;
    private readonly Histogram<double> _tickDuration;

    public TriggerMetrics(IMeterFactory meterFactory)
    {
        var meter = DispatcherMeter.From(meterFactory);
        _fires = meter.CreateCounter<long>("arkevent.trigger.fires", "{run}", "Runs started by cron and flow-output triggers.");
        _skips = meter.CreateCounter<long>("arkevent.trigger.skips", "{occurrence}", "Occurrences or completions that did not fire, by reason.");
        _lateness = meter.CreateHistogram<double>("arkevent.cron.lateness", "s", "From an occurrence's scheduled time to its run being started.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 5, 10, 30, 60, 300] });
        _tickDuration = meter.CreateHistogram<double>("arkevent.cron.tick.duration", "s", "Time to work out which cron events are due on one tick.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
    }

    public void Fired(string source) => _fires.Add(1, new KeyValuePair<string, object?>("source", source));

    public void Skipped(string source, string reason, long count = 1) =>
        _skips.Add(count, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("reason", reason));

    public void Late(TimeSpan lateness) => _lateness.Record(Math.Max(0, lateness.TotalSeconds));

    public void TickEvaluated(TimeSpan duration) => _tickDuration.Record(duration.TotalSeconds);
}
