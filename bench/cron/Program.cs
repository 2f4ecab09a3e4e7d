// Cron trigger benchmark: evaluation time per tick and memory held at 10k and 100k cron ArkEvents, and lateness
// (scheduled time -> run launched) with a real one-second tick. Prints one RESULT line; run by bench/cron/run.sh.
using System.Diagnostics;
using System.Globalization;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Triggers.Concurrency;
using Arkonis.Dispatcher.Triggers;
using Arkonis.Dispatcher.Triggers.Cron;
using Arkonis.Model.Resources;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

if (args.Length > 0 && args[0] == "replicas")
{
    await ReplicasReport.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000);
    return;
}

var latenessSeconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 125;
var results = new List<(string Name, string Value)>();
var report = new System.Text.StringBuilder();

Scale.Measure(5_000); // warm-up: JIT and tiering of the whole tick path, discarded

foreach (var count in new[] { 10_000, 100_000 })
{
    var r = Scale.Measure(count);
    report.AppendLine(CultureInfo.InvariantCulture, $"| {count:N0} | {r.LoadMs:F0} ms | {r.QuietP50Ms:F3} / {r.QuietP99Ms:F3} ms | {r.BoundaryMedianMs:F1} / {r.BoundaryMaxMs:F1} ms ({r.BoundaryDue:F0} due on average, {r.BoundaryMaxDue} at the slowest) | {r.FullTickBoundaryMs:F1} ms | {r.HeapMb:F1} MB | {r.RssMb:F0} MB |");
    var k = count / 1000 + "k";
    results.Add(($"tick_p99_ms_{k}", r.QuietP99Ms.ToString("F3", CultureInfo.InvariantCulture)));
    results.Add(($"tick_boundary_max_ms_{k}", r.BoundaryMaxMs.ToString("F1", CultureInfo.InvariantCulture)));
    results.Add(($"heap_mb_{k}", r.HeapMb.ToString("F0", CultureInfo.InvariantCulture)));
    results.Add(($"rss_mb_{k}", r.RssMb.ToString("F0", CultureInfo.InvariantCulture)));
}

var lateness = await Lateness.MeasureAsync(100_000, TimeSpan.FromSeconds(latenessSeconds));
results.Add(("lateness_p50_s", lateness.P50.ToString("F3", CultureInfo.InvariantCulture)));
results.Add(("lateness_p99_s", lateness.P99.ToString("F3", CultureInfo.InvariantCulture)));
results.Add(("lateness_max_s", lateness.Max.ToString("F3", CultureInfo.InvariantCulture)));
results.Add(("processing_p99_s", lateness.ProcessingP99.ToString("F3", CultureInfo.InvariantCulture)));
results.Add(("lateness_worst_phase_p99_s", lateness.WorstPhaseP99.ToString("F3", CultureInfo.InvariantCulture)));
results.Add(("lateness_samples", lateness.Samples.ToString(CultureInfo.InvariantCulture)));
results.Add(("duplicates", lateness.Duplicates.ToString(CultureInfo.InvariantCulture)));

Console.WriteLine("## Scale (simulated clock, 1 s ticks over 10 minutes)");
Console.WriteLine("| events | load | quiet tick p50 / p99 | minute-boundary tick median / max | full tick at boundary (launch incl.) | managed heap | process RSS |");
Console.WriteLine("|---|---|---|---|---|---|---|");
Console.Write(report);
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"## Lateness (real clock, real 1 s tick, 100,000 events, {latenessSeconds} s)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"samples {lateness.Samples}, p50 {lateness.P50:F3} s, p99 {lateness.P99:F3} s, max {lateness.Max:F3} s, duplicate run ids {lateness.Duplicates}; tick start -> launch p99 {lateness.ProcessingP99:F3} s, so with the worst tick phase p99 = 1 s + that = {lateness.WorstPhaseP99:F3} s"));
Console.WriteLine();
Console.WriteLine("RESULT " + string.Join(' ', results.Select(r => $"{r.Name}={r.Value}")));

internal static class Workload
{
    private static readonly string[] Zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"];

    /// <summary>A realistic mix: daily (40%), hourly (30%), every N minutes (20%), weekdays (9%), every minute (1%).</summary>
    public static ArkEvent Event(int i, Random random)
    {
        var cron = (i % 100) switch
        {
            < 40 => $"{random.Next(60)} {random.Next(24)} * * *",
            < 70 => $"{random.Next(60)} * * * *",
            < 90 => $"*/{new[] { 5, 10, 15, 30 }[random.Next(4)]} * * * *",
            < 99 => $"{random.Next(60)} {random.Next(7, 19)} * * 1-5",
            _ => "* * * * *",
        };
        return new ArkEvent
        {
            Metadata = new V1ObjectMeta { Name = $"event-{i}", NamespaceProperty = $"team-{i % 200}", Generation = 1, Uid = Guid.NewGuid().ToString() },
            Spec = new ArkEventSpec
            {
                Source = new EventSource { Type = SourceTypes.Cron, Cron = cron, Timezone = Zones[i % Zones.Length] },
                Targets = [new EventTarget { Pipeline = "report-flow" }],
            },
        };
    }
}

/// <summary>An in-memory launcher that dedupes like the real one and records when each run was launched.</summary>
internal sealed class RecordingLauncher(TimeProvider time) : IRunLauncher, IRunStatusSource
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _runs = new();
    public readonly System.Collections.Concurrent.ConcurrentBag<double> Lateness = [];
    public readonly System.Collections.Concurrent.ConcurrentBag<double> SinceTick = [];
    public DateTimeOffset TickStartedAt;
    public int Duplicates;

    public Task<LaunchOutcome> LaunchAsync(FireRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_runs.TryAdd(request.RunId, now))
        {
            Interlocked.Increment(ref Duplicates);
            return Task.FromResult(LaunchOutcome.AlreadyExists);
        }
        Lateness.Add((now - request.Trigger.FiredAt).TotalSeconds);
        SinceTick.Add((now - TickStartedAt).TotalSeconds);
        return Task.FromResult(LaunchOutcome.Started);
    }

    public Task<RunStatus> GetStatusAsync(string runId, CancellationToken cancellationToken) => Task.FromResult(RunStatus.Finished);

    public Task TerminateAsync(string runId, string reason, CancellationToken cancellationToken) => Task.CompletedTask;
}

internal sealed class NoActivity : ITriggerActivity
{
    public void Fired(ArkEvent arkEvent, string runId, DateTimeOffset firedAt) { }
    public void Skipped(ArkEvent arkEvent, string reason, DateTimeOffset at) { }
    public void Completed(ArkEvent arkEvent, string runId, string result, DateTimeOffset completedAt) { }
    public void Failed(ArkEvent arkEvent, string runId, string message, DateTimeOffset at) { }
}

internal sealed class NoCheckpoint : ICronCheckpointStore
{
    public Task<CronCheckpoint> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(CronCheckpoint.Empty);
    public Task AdvanceAsync(DateTimeOffset evaluatedThrough, CancellationToken cancellationToken) => Task.CompletedTask;
    public Task SaveSchedulesAsync(IReadOnlyDictionary<string, SeenSchedule> schedules, CancellationToken cancellationToken) => Task.CompletedTask;
}

internal static class Rig
{
    private static readonly IServiceProvider Services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public static (CronEvaluator Evaluator, CronTicker Ticker, RecordingLauncher Launcher) Build(ArkEventCatalog catalog, TimeProvider time)
    {
        var options = Options.Create(new CronTriggerOptions());
        var evaluator = new CronEvaluator(catalog, time, options, NullLogger<CronEvaluator>.Instance);
        var launcher = new RecordingLauncher(time);
        var gate = new ConcurrencyGate(new RunLedger(launcher, Options.Create(new SidecarOptions()), NullLogger<RunLedger>.Instance));
        var metrics = new TriggerMetrics(Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var ticker = new CronTicker(evaluator, gate, launcher, new NoActivity(), new NoCheckpoint(), metrics, time, options, Options.Create(new SidecarOptions()), NullLogger<CronTicker>.Instance);
        return (evaluator, ticker, launcher);
    }
}

internal sealed record ScaleResult(double LoadMs, double QuietP50Ms, double QuietP99Ms, double BoundaryMedianMs, double BoundaryMaxMs, double BoundaryDue, int BoundaryMaxDue, double FullTickBoundaryMs, double HeapMb, double RssMb);

internal static class Scale
{
    public static ScaleResult Measure(int count)
    {
        Collect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var random = new Random(42);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 9, 59, 0, 300, TimeSpan.Zero));
        var catalog = new ArkEventCatalog();
        var (evaluator, ticker, _) = Rig.Build(catalog, time);
        var load = Stopwatch.StartNew();
        catalog.ReplaceAll(Enumerable.Range(0, count).Select(i => new CatalogEntry(Workload.Event(i, random), [])));
        load.Stop();

        Collect();
        var heapMb = (GC.GetTotalMemory(forceFullCollection: true) - heapBefore) / 1024.0 / 1024.0;
        var rssMb = Environment.WorkingSet / 1024.0 / 1024.0;

        // Evaluation only (what the tick computes), 1 s ticks over 10 simulated minutes.
        List<double> quiet = [];
        List<(double Ms, int Due)> boundary = [];
        for (var second = 0; second < 600; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            var sw = Stopwatch.StartNew();
            var evaluation = evaluator.Evaluate(time.GetUtcNow());
            sw.Stop();
            var due = evaluation.Fires.Count + evaluation.Skips.Count;
            if (due > 0 && time.GetUtcNow().Second == 0)
            {
                boundary.Add((sw.Elapsed.TotalMilliseconds, due));
            }
            else
            {
                quiet.Add(sw.Elapsed.TotalMilliseconds);
            }
        }

        // The whole tick, launches included (in-memory launcher), at the next minute boundaries.
        List<double> full = [];
        for (var minute = 0; minute < 3; minute++)
        {
            time.Advance(TimeSpan.FromSeconds(60));
            var sw = Stopwatch.StartNew();
            ticker.TickAsync(CancellationToken.None).GetAwaiter().GetResult();
            full.Add(sw.Elapsed.TotalMilliseconds);
        }
        GC.KeepAlive(evaluator);
        GC.KeepAlive(catalog);
        evaluator.Dispose();
        ticker.Dispose();

        quiet.Sort();
        var boundaryMs = boundary.Select(b => b.Ms).Order().ToList();
        return new ScaleResult(
            load.Elapsed.TotalMilliseconds,
            Percentile(quiet, 0.50), Percentile(quiet, 0.99),
            Percentile(boundaryMs, 0.50), boundaryMs.Count > 0 ? boundaryMs[^1] : 0,
            boundary.Count > 0 ? boundary.Average(b => b.Due) : 0,
            boundary.Count > 0 ? boundary.MaxBy(b => b.Ms).Due : 0,
            full.Order().ElementAt(full.Count / 2),
            heapMb, rssMb);
    }

    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static void Collect()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}

/// <param name="ProcessingP99">From the tick's start to a run's launch, p99: what the dispatcher adds to the tick's phase.</param>
internal sealed record LatenessResult(int Samples, double P50, double P99, double Max, int Duplicates, double ProcessingP99)
{
    /// <summary>Lateness p99 when the tick's phase is the worst possible (the occurrence falls just after a tick): 1 s + processing.</summary>
    public double WorstPhaseP99 => 1.0 + ProcessingP99;
}

internal static class Lateness
{
    /// <summary>
    /// Real clock: a PeriodicTimer ticks every second (as daprd's <c>@every 1s</c> binding would, at an arbitrary phase)
    /// and calls the real ticker; the launcher records launch time minus scheduled time.
    /// </summary>
    public static async Task<LatenessResult> MeasureAsync(int count, TimeSpan duration)
    {
        var random = new Random(7);
        var catalog = new ArkEventCatalog();
        var (evaluator, ticker, launcher) = Rig.Build(catalog, TimeProvider.System);
        catalog.ReplaceAll(Enumerable.Range(0, count).Select(i => new CatalogEntry(Workload.Event(i, random), [])));
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var end = DateTimeOffset.UtcNow + duration;
        while (DateTimeOffset.UtcNow < end && await timer.WaitForNextTickAsync())
        {
            launcher.TickStartedAt = DateTimeOffset.UtcNow;
            await ticker.TickAsync(CancellationToken.None);
        }
        var samples = launcher.Lateness.Order().ToList();
        var sinceTick = launcher.SinceTick.Order().ToList();
        evaluator.Dispose();
        ticker.Dispose();
        return new LatenessResult(samples.Count, Scale.Percentile(samples, 0.5), Scale.Percentile(samples, 0.99), samples.Count > 0 ? samples[^1] : 0,
            launcher.Duplicates, Scale.Percentile(sinceTick, 0.99));
    }
}
