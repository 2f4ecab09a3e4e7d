using System.Diagnostics.Metrics;

namespace Arkonis.Admission.Observability;

/// <summary>Every instrument of the admission service, from <see cref="IMeterFactory"/>.</summary>
internal sealed class AdmissionMetrics
{
    public const string MeterName = "Arkonis.Admission";

    /// <summary>
    /// Seconds. Dense below 25 ms, where a healthy webhook lives; the last buckets line up with
    /// kube-apiserver's own webhook histogram (0.5 s, 1 s, 2.5 s) and the cycle check's 1.5 s deadline.
    /// </summary>
    private static readonly double[] DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5, 5];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _cycleChecks;

    public AdmissionMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>(
            "arkevent.admission.requests", "{request}", "Admission requests by operation (validate, mutate) and result (allowed, denied, error).");
        _duration = meter.CreateHistogram(
            "arkevent.admission.request.duration", "s", "Time to answer an admission request.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _cycleChecks = meter.CreateCounter<long>(
            "arkevent.admission.cycle_checks", "{check}", "Flow-output cycle checks by outcome (clear, loop, timeout, unavailable).");
    }

    public void Record(string operation, string result, TimeSpan elapsed)
    {
        var operationTag = new KeyValuePair<string, object?>("operation", operation);
        var resultTag = new KeyValuePair<string, object?>("result", result);
        _requests.Add(1, operationTag, resultTag);
        _duration.Record(elapsed.TotalSeconds, operationTag, resultTag);
    }

    public void RecordCycleCheck(string outcome) =>
        _cycleChecks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}

/// <summary>Low-cardinality tag values.</summary>
internal static class AdmissionResults
{
    public const string Allowed = "allowed";
    public const string Denied = "denied";
    public const string Error = "error";
}
