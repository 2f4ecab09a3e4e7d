using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Arkonis.Admission.Observability;

/// <summary>
/// Collects the admission meter with a <see cref="MeterListener"/> and writes the Prometheus text
/// format (0.0.4): counters as <c>_total</c>, histograms as cumulative <c>_bucket</c>/<c>_sum</c>/<c>_count</c>.
/// Small on purpose: two instruments do not need a telemetry SDK.
/// </summary>
internal sealed class PrometheusTextExporter : IHostedService, IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), Series> _series = new();

    public PrometheusTextExporter(IMeterFactory meterFactory)
    {
        // Only this host's meter: several hosts in one process (tests) each get their own factory.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == AdmissionMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => SeriesFor(instrument, tags).Add(value));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => SeriesFor(instrument, tags).Add(value));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();

    public string Render()
    {
        var text = new StringBuilder();
        foreach (var group in _series.GroupBy(s => s.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            var instrument = group.Key;
            var name = PrometheusName(instrument);
            var isHistogram = instrument is Histogram<double>;
            var metricName = isHistogram ? name : name + "_total";
            text.Append("# HELP ").Append(metricName).Append(' ').Append(instrument.Description).Append('\n');
            text.Append("# TYPE ").Append(metricName).Append(isHistogram ? " histogram\n" : " counter\n");
            foreach (var (key, series) in group.OrderBy(s => s.Key.Labels, StringComparer.Ordinal))
            {
                series.WriteTo(text, metricName, key.Labels);
            }
        }

        return text.ToString();
    }

    private Series SeriesFor(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new StringBuilder();
        foreach (var (tagKey, tagValue) in tags)
        {
            if (labels.Length > 0)
            {
                labels.Append(',');
            }

            labels.Append(tagKey).Append("=\"")
                .Append(Convert.ToString(tagValue, CultureInfo.InvariantCulture)?.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal))
                .Append('"');
        }

        return _series.GetOrAdd((instrument, labels.ToString()), static key =>
            new Series(key.Instrument is Histogram<double> h ? h.Advice?.HistogramBucketBoundaries?.ToArray() ?? [] : null));
    }

    private static string PrometheusName(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        return instrument.Unit == "s" ? name + "_seconds" : name;
    }

    private sealed class Series(double[]? bounds)
    {
        private readonly Lock _gate = new();
        private readonly long[] _buckets = new long[(bounds?.Length ?? 0) + 1];
        private double _sum;
        private long _count;

        public void Add(double value)
        {
            lock (_gate)
            {
                _count++;
                _sum += value;
                if (bounds is not null)
                {
                    var i = 0;
                    while (i < bounds.Length && value > bounds[i])
                    {
                        i++;
                    }

                    _buckets[i]++;
                }
            }
        }

        public void WriteTo(StringBuilder text, string name, string labels)
        {
            lock (_gate)
            {
                if (bounds is null)
                {
                    Line(text, name, labels, null, _sum);
                    return;
                }

                long cumulative = 0;
                for (var i = 0; i < bounds.Length; i++)
                {
                    cumulative += _buckets[i];
                    Line(text, name + "_bucket", labels, bounds[i].ToString(CultureInfo.InvariantCulture), cumulative);
                }

                Line(text, name + "_bucket", labels, "+Inf", _count);
                Line(text, name + "_sum", labels, null, _sum);
                Line(text, name + "_count", labels, null, _count);
            }
        }

        private static void Line(StringBuilder text, string name, string labels, string? le, double value)
        {
            text.Append(name);
            if (labels.Length > 0 || le is not null)
            {
                text.Append('{').Append(labels);
                if (le is not null)
                {
                    text.Append(labels.Length > 0 ? "," : string.Empty).Append("le=\"").Append(le).Append('"');
                }

                text.Append('}');
            }

            text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
    }
}
