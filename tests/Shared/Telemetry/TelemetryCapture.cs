using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Arkonis.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Arkonis.Tests.Shared;

/// <summary>
/// Everything a process writes about itself while it is alive: every log line as the services' JSON console writes it
/// (the real <c>json</c> formatter, with the options the services give it, scopes included), every span of every
/// <see cref="ActivitySource"/> (tags, events, links, baggage, status: a superset of what an exporter sends, which reads
/// the same <see cref="Activity"/> objects), and every measurement of every <see cref="Meter"/> (instrument names and
/// descriptions, meter and measurement tags). Listeners are process-wide, so other tests' telemetry is captured too:
/// searches use values no other test knows. Linked into the service test projects (it needs a service's AddArkEventLogging).
/// </summary>
internal sealed class TelemetryCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ServiceProvider _formatterServices;
    private readonly ConsoleFormatter _json;
    private readonly ActivityListener _spans;
    private readonly MeterListener _meters;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public TelemetryCapture()
    {
        // The formatter the console provider uses for FormatterName=json, configured by the services' own AddArkEventLogging.
        _formatterServices = new ServiceCollection().AddLogging(logging => logging.AddArkEventLogging()).BuildServiceProvider();
        _json = _formatterServices.GetServices<ConsoleFormatter>().Single(f => f.Name == ConsoleFormatterNames.Json);

        _spans = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = activity => Spans.Enqueue(Describe(activity)),
            ActivityStopped = activity => Spans.Enqueue(Describe(activity)),
        };
        ActivitySource.AddActivityListener(_spans);

        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) => listener.EnableMeasurementEvents(instrument),
        };
        _meters.SetMeasurementEventCallback<byte>(Record);
        _meters.SetMeasurementEventCallback<short>(Record);
        _meters.SetMeasurementEventCallback<int>(Record);
        _meters.SetMeasurementEventCallback<long>(Record);
        _meters.SetMeasurementEventCallback<float>(Record);
        _meters.SetMeasurementEventCallback<double>(Record);
        _meters.SetMeasurementEventCallback<decimal>(Record);
        _meters.Start();
    }

    /// <summary>Log lines, one JSON object each, exactly as the console would print them.</summary>
    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>One text per span start and stop: source, names, status, tags, events, links, baggage, trace state.</summary>
    public ConcurrentQueue<string> Spans { get; } = new();

    /// <summary>Distinct descriptions of the measurements: meter, instrument, unit, description, tags.</summary>
    public ConcurrentDictionary<string, byte> Measurements { get; } = new();

    /// <summary>Texts captured some other way (a <c>/metrics</c> scrape), searched with the rest.</summary>
    public ConcurrentQueue<(string Where, string Text)> Other { get; } = new();

    /// <summary>Reads the observable instruments now (gauges and the like report only when asked).</summary>
    public void CollectObservables() => _meters.RecordObservableInstruments();

    /// <summary>
    /// Where any of <paramref name="needles"/> occurs: in a log line's raw text or, escapes undone, in its JSON values;
    /// in a span; in a measurement; in the other texts. One entry per place and needle.
    /// </summary>
    public IReadOnlyList<string> Find(IEnumerable<string> needles)
    {
        var texts = Lines.Select(line => ("log: " + line, line + "\n" + Unescaped(line)))
            .Concat(Spans.Select(span => ("span: " + span, span)))
            .Concat(Measurements.Keys.Select(measurement => ("metric: " + measurement, measurement)))
            .Concat(Other.Select(other => (other.Where, other.Text)))
            .ToList();
        return [.. needles.Distinct().SelectMany(needle => texts
            .Where(t => t.Item2.Contains(needle, StringComparison.Ordinal))
            .Select(t => $"{needle} in {t.Item1}"))];
    }

    /// <summary>
    /// Pieces of <paramref name="secret"/> to search for, <paramref name="window"/> characters long every
    /// <paramref name="stride"/>: any fragment of <c>window + stride - 1</c> characters or more (a logged prefix, a
    /// near-miss that differs at one end) contains one of them. The whole secret is one of them too.
    /// </summary>
    public static IEnumerable<string> Pieces(string secret, int window = 12, int stride = 4)
    {
        yield return secret;
        for (var i = 0; i + window <= secret.Length; i += stride)
        {
            yield return secret.Substring(i, window);
        }
    }

    public ILogger CreateLogger(string categoryName) => new CaptureLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
        _spans.Dispose();
        _meters.Dispose();
        _formatterServices.Dispose();
    }

    private void Write<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var entry = new LogEntry<TState>(level, category, eventId, state, exception, formatter);
        using var writer = new StringWriter();
        _json.Write(in entry, _scopes, writer);
        Lines.Enqueue(writer.ToString());
    }

    private static string Describe(Activity activity)
    {
        var text = new StringBuilder()
            .Append(activity.Source.Name).Append(' ').Append(activity.OperationName).Append(' ').Append(activity.DisplayName)
            .Append(" status=").Append(activity.Status).Append(' ').Append(activity.StatusDescription)
            .Append(" tracestate=").Append(activity.TraceStateString);
        foreach (var (key, value) in activity.TagObjects)
        {
            text.Append(' ').Append(key).Append('=').Append(value);
        }
        foreach (var e in activity.Events)
        {
            text.Append(" event ").Append(e.Name);
            foreach (var (key, value) in e.Tags)
            {
                text.Append(' ').Append(key).Append('=').Append(value);
            }
        }
        foreach (var link in activity.Links)
        {
            text.Append(" link ").Append(link.Context.TraceState);
            foreach (var (key, value) in link.Tags ?? [])
            {
                text.Append(' ').Append(key).Append('=').Append(value);
            }
        }
        foreach (var (key, value) in activity.Baggage)
        {
            text.Append(" baggage ").Append(key).Append('=').Append(value);
        }
        return text.ToString();
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var text = new StringBuilder()
            .Append(instrument.Meter.Name).Append(' ').Append(instrument.Name).Append(' ').Append(instrument.Unit)
            .Append(' ').Append(instrument.Description);
        foreach (var (key, tag) in (instrument.Meter.Tags ?? []).Concat(instrument.Tags ?? []))
        {
            text.Append(' ').Append(key).Append('=').Append(tag);
        }
        foreach (var (key, tag) in tags)
        {
            text.Append(' ').Append(key).Append('=').Append(tag);
        }
        Measurements.TryAdd(text.ToString(), 0);
    }

    /// <summary>Every property name and string value of a JSON line, escapes undone (the formatter escapes +, &lt;, non-ASCII...).</summary>
    private static string Unescaped(string line)
    {
        var text = new StringBuilder();
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line));
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    text.Append(reader.GetString()).Append('\n');
                }
            }
        }
        catch (JsonException)
        {
            // Not one JSON object: the raw text was searched already.
        }
        return text.ToString();
    }

    private sealed class CaptureLogger(TelemetryCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => capture._scopes.Push(state);

        // What is enabled is the logger factory's filter rules' business, as for the console provider.
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture.Write(category, logLevel, eventId, state, exception, formatter);
    }
}
