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
    private readonly ConcurrentDictionary<Instrument, InstrumentSeries> _instruments = new();

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
        foreach (var instrumentSeries in _instruments.Values.OrderBy(i => i.Instrument.Name, StringComparer.Ordinal))
        {
            var instrument = instrumentSeries.Instrument;
            var name = PrometheusName(instrument);
            var isHistogram = instrument is Histogram<double>;
            var metricName = isHistogram ? name : name + "_total";
            text.Append("# HELP ").Append(metricName).Append(' ').Append(instrument.Description).Append('\n');
            text.Append("# TYPE ").Append(metricName).Append(isHistogram ? " histogram\n" : " counter\n");
            foreach (var (labels, series) in instrumentSeries.Distinct().OrderBy(s => s.Labels, StringComparer.Ordinal))
            {
                series.WriteTo(text, metricName, labels);
            }
        }

        return text.ToString();
    }

    /// <summary>Called for every measurement: finds the series without allocating once the tag combination has been seen.</summary>
    private Series SeriesFor(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _instruments.GetOrAdd(instrument, static i => new InstrumentSeries(i)).For(tags);

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
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

        return labels.ToString();
    }

    private static string PrometheusName(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        return instrument.Unit == "s" ? name + "_seconds" : name;
    }

    /// <summary>
    /// The series of one instrument, few (low-cardinality tags): a copy-on-write array searched by tag
    /// equality, so a measurement costs no label string, no tuple key and no lock once its series exists.
    /// </summary>
    private sealed class InstrumentSeries(Instrument instrument)
    {
        private readonly Lock _gate = new();
        private readonly double[]? _bounds = instrument is Histogram<double> h ? h.Advice?.HistogramBucketBoundaries?.ToArray() ?? [] : null;
        private volatile Entry[] _entries = [];

        public Instrument Instrument => instrument;

        public Series For(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (Find(_entries, tags) is { } seen)
            {
                return seen;
            }

            lock (_gate)
            {
                if (Find(_entries, tags) is { } raced)
                {
                    return raced;
                }

                // Tag values that read the same (1 and "1") write the same labels, so they share one series.
                var labels = Labels(tags);
                var series = _entries.FirstOrDefault(e => e.Labels == labels)?.Series ?? new Series(_bounds);
                _entries = [.. _entries, new Entry(tags.ToArray(), labels, series)];
                return series;
            }
        }

        public IEnumerable<(string Labels, Series Series)> Distinct() =>
            _entries.DistinctBy(e => e.Series).Select(e => (e.Labels, e.Series));

        private static Series? Find(Entry[] entries, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var entry in entries)
            {
                if (entry.Matches(tags))
                {
                    return entry.Series;
                }
            }

            return null;
        }
    }

    private sealed record Entry(KeyValuePair<string, object?>[] Tags, string Labels, Series Series)
    {
        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length != Tags.Length)
            {
                return false;
            }

            for (var i = 0; i < tags.Length; i++)
            {
                if (!string.Equals(tags[i].Key, Tags[i].Key, StringComparison.Ordinal) || !Equals(tags[i].Value, Tags[i].Value))
                {
                    return false;
                }
            }

            return true;
        }
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
