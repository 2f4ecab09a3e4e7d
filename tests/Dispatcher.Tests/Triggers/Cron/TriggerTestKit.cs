using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Triggers.Concurrency;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Triggers;
using Arkonis.Dispatcher.Triggers.Cron;
using Arkonis.Model.Resources;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Arkonis.Dispatcher.Tests.Triggers.Cron;

/// <summary>
/// A run engine that behaves like the Dapr-Workflow launcher: an id that exists (running or finished) is never
/// started again. Runs start Pending; tests move them on. Thread-safe, so several "replicas" can share it.
/// </summary>
public sealed class FakeRunEngine : IRunLauncher, IRunStatusSource
{
    private readonly ConcurrentDictionary<string, RunStatus> _status = new();
    private readonly ConcurrentQueue<FireRequest> _started = new();
    private readonly ConcurrentQueue<string> _terminated = new();
    private int _attempts;

    public Func<FireRequest, Exception?> FailWith { get; set; } = _ => null;

    public IReadOnlyList<FireRequest> Started => [.. _started];

    public IReadOnlyList<string> Terminated => [.. _terminated];

    public int Attempts => Volatile.Read(ref _attempts);

    public bool StatusUnavailable { get; set; }

    public Task<LaunchOutcome> LaunchAsync(FireRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        if (FailWith(request) is { } failure)
        {
            throw failure;
        }
        if (!_status.TryAdd(request.RunId, RunStatus.Pending))
        {
            return Task.FromResult(LaunchOutcome.AlreadyExists);
        }
        _started.Enqueue(request);
        return Task.FromResult(LaunchOutcome.Started);
    }

    public Task<RunStatus> GetStatusAsync(string runId, CancellationToken cancellationToken) =>
        StatusUnavailable
            ? Task.FromException<RunStatus>(new TimeoutException("sidecar down"))
            : Task.FromResult(_status.GetValueOrDefault(runId, RunStatus.NotFound));

    public Task TerminateAsync(string runId, string reason, CancellationToken cancellationToken)
    {
        if (_status.TryGetValue(runId, out var status) && status is not RunStatus.Finished)
        {
            _status[runId] = RunStatus.Finished;
            _terminated.Enqueue(runId);
        }
        return Task.CompletedTask;
    }

    public void Set(string runId, RunStatus status) => _status[runId] = status;

    public RunStatus StatusOf(string runId) => _status.GetValueOrDefault(runId, RunStatus.NotFound);

    public void FinishAll()
    {
        foreach (var id in _status.Keys)
        {
            _status[id] = RunStatus.Finished;
        }
    }
}

public sealed class RecordingActivity : ITriggerActivity
{
    private readonly ConcurrentQueue<(string Event, string RunId, DateTimeOffset At)> _fired = new();
    private readonly ConcurrentQueue<(string Event, string Reason, DateTimeOffset At)> _skipped = new();

    public IReadOnlyList<(string Event, string RunId, DateTimeOffset At)> Fired => [.. _fired];

    public IReadOnlyList<(string Event, string Reason, DateTimeOffset At)> Skipped => [.. _skipped];

    void ITriggerActivity.Fired(ArkEvent arkEvent, string runId, DateTimeOffset firedAt) => _fired.Enqueue((arkEvent.Name, runId, firedAt));

    void ITriggerActivity.Skipped(ArkEvent arkEvent, string reason, DateTimeOffset at) => _skipped.Enqueue((arkEvent.Name, reason, at));

    public void Completed(ArkEvent arkEvent, string runId, string result, DateTimeOffset completedAt)
    {
    }

    public void Failed(ArkEvent arkEvent, string runId, string message, DateTimeOffset at)
    {
    }
}

/// <summary>The shared state store, as every replica and every restart sees it.</summary>
public sealed class InMemoryCheckpointStore : ICronCheckpointStore
{
    private readonly Lock _lock = new();
    private DateTimeOffset? _watermark;
    private IReadOnlyDictionary<string, SeenSchedule> _schedules = new Dictionary<string, SeenSchedule>();

    public bool Unavailable { get; set; }

    /// <summary>Writes succeed but are lost (a state store that lost recent data).</summary>
    public bool DropWrites { get; set; }

    public DateTimeOffset? Watermark => _watermark;

    public Task<CronCheckpoint> LoadAsync(CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        lock (_lock)
        {
            return Task.FromResult(new CronCheckpoint(_watermark, _schedules));
        }
    }

    public Task AdvanceAsync(DateTimeOffset evaluatedThrough, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        lock (_lock)
        {
            if (DropWrites)
            {
                return Task.CompletedTask;
            }
            if (_watermark is null || _watermark < evaluatedThrough)
            {
                _watermark = evaluatedThrough;
            }
        }
        return Task.CompletedTask;
    }

    public Task SaveSchedulesAsync(IReadOnlyDictionary<string, SeenSchedule> schedules, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        lock (_lock)
        {
            if (DropWrites)
            {
                return Task.CompletedTask;
            }
            _schedules = new Dictionary<string, SeenSchedule>(schedules);
        }
        return Task.CompletedTask;
    }

    private void ThrowIfUnavailable()
    {
        if (Unavailable)
        {
            throw new InvalidOperationException("state store down");
        }
    }
}

/// <summary>Counts measurements of the triggers' meter, by instrument and tags.</summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string?> Tags)> _measurements = new();

    public MetricRecorder(IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TriggerMetrics.MeterName && instrument.Meter.Scope == factory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    public double Sum(string instrument, string? reason = null) =>
        _measurements.Where(m => m.Instrument == instrument && (reason is null || m.Tags.GetValueOrDefault("reason") == reason)).Sum(m => m.Value);

    public IReadOnlyList<double> Values(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument).Select(m => m.Value)];

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, string?>();
        foreach (var tag in tags)
        {
            map[tag.Key] = tag.Value?.ToString();
        }
        _measurements.Enqueue((instrument.Name, value, map));
    }
}

public static class TestEvents
{
    public static ArkEvent Cron(string name, string cron, string? timezone = null, string? policy = null, bool suspend = false,
        long? startingDeadlineSeconds = null, string ns = "ai-team") => new()
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Generation = 1 },
            Spec = new ArkEventSpec
            {
                Source = new EventSource { Type = SourceTypes.Cron, Cron = cron, Timezone = timezone },
                Targets = [new EventTarget { Pipeline = "report-flow" }],
                ConcurrencyPolicy = policy,
                Suspend = suspend,
                StartingDeadlineSeconds = startingDeadlineSeconds,
            },
        };

    public static ArkEvent FlowOutput(string name, string flow, string? onPhase = null, string ns = "ai-team", string pipeline = "next-flow", string? policy = null, bool suspend = false) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Generation = 1 },
        Spec = new ArkEventSpec
        {
            Source = new EventSource { Type = SourceTypes.FlowOutput, Flow = flow, OnPhase = onPhase },
            Targets = [new EventTarget { Pipeline = pipeline }],
            ConcurrencyPolicy = policy,
            Suspend = suspend,
        },
    };

    public static CatalogEntry Entry(ArkEvent arkEvent) => new(arkEvent, []);
}

/// <summary>One dispatcher replica's cron trigger, built as the app builds it, over shared fakes.</summary>
public sealed class CronReplica : IDisposable
{
    private static readonly IServiceProvider Metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public CronReplica(FakeTimeProvider time, FakeRunEngine engine, ICronCheckpointStore store, ArkEventCatalog? catalog = null,
        CronTriggerOptions? options = null, IMeterFactory? meterFactory = null)
    {
        Catalog = catalog ?? new ArkEventCatalog();
        var opts = Options.Create(options ?? new CronTriggerOptions());
        MeterFactory = meterFactory ?? Metrics.GetRequiredService<IMeterFactory>();
        Evaluator = new CronEvaluator(Catalog, time, opts, NullLogger<CronEvaluator>.Instance);
        var gate = new ConcurrencyGate(new RunLedger(engine, Options.Create(new SidecarOptions()), NullLogger<RunLedger>.Instance));
        Ticker = new CronTicker(Evaluator, gate, engine, Activity, store, new TriggerMetrics(MeterFactory), time, opts, Options.Create(new SidecarOptions()), NullLogger<CronTicker>.Instance);
    }

    public ArkEventCatalog Catalog { get; }

    public CronEvaluator Evaluator { get; }

    public CronTicker Ticker { get; }

    public RecordingActivity Activity { get; } = new();

    public IMeterFactory MeterFactory { get; }

    public Task<CronTickResult> TickAsync() => Ticker.TickAsync(CancellationToken.None);

    public void Dispose()
    {
        Evaluator.Dispose();
        Ticker.Dispose();
    }
}
