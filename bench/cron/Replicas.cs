// Three dispatcher replicas sharing one state store at a minute boundary with 20,000 cron events due: state reads and
// writes per tick, and the time from the boundary to the last run created. Run by bench/cron/run-replicas.sh.
//
// Each replica is the real CronEvaluator + CronTicker + ConcurrencyGate over its own catalog (every replica loads every
// ArkEvent); the launcher is the real one's sequence of calls (WorkflowRunLauncher: GetWorkflowState, then
// ScheduleNewWorkflow, "already exists" counted as such) against a model of daprd's workflow actors over one store:
// - a run id is one workflow actor, turn-based (one call at a time), wherever placement puts it;
// - GetWorkflowState and create load the actor's state when it is not cached: LoadWorkflowState reads the metadata key
//   and, if the run exists, the history/inbox keys in one bulk read; a missing state is not cached, so every query of a
//   not-yet-created run reads the store again (dapr pkg/actors/targets/workflow/orchestrator/state.go loadInternalState);
// - create saves the new state in one transactional state operation (saveInternalState, same file); the run's first
//   step, which writes again, comes after the launch and is the same for one or three replicas, so it is not counted;
// - the cron checkpoint: one watermark read and one ETag write per tick per replica (DaprCronCheckpointStore.AdvanceAsync).
// Every daprd call and every store operation costs one round trip (RTT, real Task.Delay).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Triggers;
using Arkonis.Dispatcher.Triggers.Concurrency;
using Arkonis.Dispatcher.Triggers.Cron;
using Arkonis.Model.Resources;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

internal sealed class SharedStore(TimeSpan rtt)
{
    private readonly ConcurrentDictionary<string, Actor> _actors = new();
    private DateTimeOffset? _watermark;
    private long _watermarkEtag;
    private readonly Lock _watermarkLock = new();
    public long Reads;
    public long Writes;
    public long Started;
    public long AlreadyExisted;
    public long LastLaunchTicks;

    private sealed class Actor
    {
        public readonly SemaphoreSlim Turn = new(1, 1);
        public bool Exists;
        public bool Cached;
    }

    public void ResetCounters() => Reads = Writes = Started = AlreadyExisted = LastLaunchTicks = 0;

    private Task RoundTrip() => rtt == TimeSpan.Zero ? Task.CompletedTask : Task.Delay(rtt);

    private async Task LoadAsync(Actor actor)
    {
        if (actor.Cached)
        {
            return;
        }
        Interlocked.Increment(ref Reads); // metadata key
        await RoundTrip();
        if (actor.Exists)
        {
            Interlocked.Increment(ref Reads); // history + inbox, one bulk read
            await RoundTrip();
            actor.Cached = true;
        }
    }

    public async Task<bool> GetWorkflowStateAsync(string runId)
    {
        await RoundTrip(); // app -> daprd -> the actor's host
        var actor = _actors.GetOrAdd(runId, _ => new Actor());
        await actor.Turn.WaitAsync();
        try
        {
            await LoadAsync(actor);
            return actor.Exists;
        }
        finally
        {
            actor.Turn.Release();
        }
    }

    public async Task<bool> CreateAsync(string runId, Stopwatch clock)
    {
        await RoundTrip();
        var actor = _actors.GetOrAdd(runId, _ => new Actor());
        await actor.Turn.WaitAsync();
        try
        {
            await LoadAsync(actor);
            if (actor.Exists)
            {
                Interlocked.Increment(ref AlreadyExisted);
                return false;
            }
            Interlocked.Increment(ref Writes); // one transactional save of the new state's keys
            await RoundTrip();
            actor.Exists = actor.Cached = true;
            Interlocked.Increment(ref Started);
            var now = clock.ElapsedTicks;
            long seen;
            while ((seen = Interlocked.Read(ref LastLaunchTicks)) < now && Interlocked.CompareExchange(ref LastLaunchTicks, now, seen) != seen)
            {
            }
            return true;
        }
        finally
        {
            actor.Turn.Release();
        }
    }

    public async Task<(DateTimeOffset? Value, long ETag)> ReadWatermarkAsync()
    {
        Interlocked.Increment(ref Reads);
        await RoundTrip();
        lock (_watermarkLock)
        {
            return (_watermark, _watermarkEtag);
        }
    }

    public async Task<bool> TryWriteWatermarkAsync(DateTimeOffset value, long etag)
    {
        Interlocked.Increment(ref Writes);
        await RoundTrip();
        lock (_watermarkLock)
        {
            if (etag != _watermarkEtag)
            {
                return false;
            }
            _watermark = value;
            _watermarkEtag++;
            return true;
        }
    }
}

/// <summary>WorkflowRunLauncher's calls: GetWorkflowState, then ScheduleNewWorkflow unless the run exists.</summary>
internal sealed class ModelledLauncher(SharedStore store, Stopwatch clock, int replica = 0, int owners = 1) : IRunLauncher, IRunStatusSource
{
    public long NotOwned;

    /// <summary>The proposal's ownership (not built in the dispatcher): an ArkEvent belongs to one of the live replicas by a hash of its name.</summary>
    private bool Owns(FireRequest request)
    {
        var hash = 2166136261u;
        foreach (var c in request.Event.Namespace + "/" + request.Event.Name)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash % (uint)owners == (uint)replica;
    }

    public async Task<LaunchOutcome> LaunchAsync(FireRequest request, CancellationToken cancellationToken)
    {
        if (owners > 1 && !Owns(request))
        {
            Interlocked.Increment(ref NotOwned);
            return LaunchOutcome.AlreadyExists;
        }
        if (await store.GetWorkflowStateAsync(request.RunId))
        {
            Interlocked.Increment(ref store.AlreadyExisted);
            return LaunchOutcome.AlreadyExists;
        }
        return await store.CreateAsync(request.RunId, clock) ? LaunchOutcome.Started : LaunchOutcome.AlreadyExists;
    }

    public Task<RunStatus> GetStatusAsync(string runId, CancellationToken cancellationToken) => Task.FromResult(RunStatus.Finished);

    public Task TerminateAsync(string runId, string reason, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>DaprCronCheckpointStore's calls (watermark read, ETag write, up to three tries) on the shared store.</summary>
internal sealed class ModelledCheckpoint(SharedStore store) : ICronCheckpointStore
{
    public Task<CronCheckpoint> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(CronCheckpoint.Empty);

    public async Task AdvanceAsync(DateTimeOffset evaluatedThrough, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var (current, etag) = await store.ReadWatermarkAsync();
            if (current is { } c && c >= evaluatedThrough)
            {
                return;
            }
            if (await store.TryWriteWatermarkAsync(evaluatedThrough, etag))
            {
                return;
            }
        }
    }

    public Task SaveSchedulesAsync(IReadOnlyDictionary<string, SeenSchedule> schedules, CancellationToken cancellationToken) => Task.CompletedTask;
}

internal sealed record ReplicaTick(int Replicas, bool Shared, double RttMs, long Reads, long Writes, long Started, long Existed, double LastLaunchS, double TickEndS, long QuietReads, long QuietWrites);

internal static class Replicas
{
    private static readonly IServiceProvider Services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    /// <summary>Replica i's tick starts this long after the minute boundary (each daprd's @every 1s binding has its own phase).</summary>
    private static readonly double[] PhasesS = [0.10, 0.43, 0.77];

    private static ArkEvent Event(int i) => new()
    {
        Metadata = new V1ObjectMeta { Name = $"event-{i}", NamespaceProperty = $"team-{i % 200}", Generation = 1, Uid = $"uid-{i}" },
        Spec = new ArkEventSpec
        {
            Source = new EventSource { Type = SourceTypes.Cron, Cron = "0 10 * * *", Timezone = "UTC" },
            Targets = [new EventTarget { Pipeline = "report-flow" }],
        },
    };

    public static async Task<ReplicaTick> MeasureAsync(int events, int replicas, TimeSpan rtt, bool shared = false)
    {
        var boundary = new DateTimeOffset(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(boundary.AddSeconds(-2));
        var store = new SharedStore(rtt);
        var clock = new Stopwatch();
        var tickers = new List<CronTicker>();
        var options = Options.Create(new CronTriggerOptions());
        var metrics = new TriggerMetrics(Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        for (var r = 0; r < replicas; r++)
        {
            var catalog = new ArkEventCatalog();
            catalog.ReplaceAll(Enumerable.Range(0, events).Select(i => new CatalogEntry(Event(i), [])));
            var evaluator = new CronEvaluator(catalog, time, options, NullLogger<CronEvaluator>.Instance);
            var launcher = shared ? new ModelledLauncher(store, clock, r, replicas) : new ModelledLauncher(store, clock);
            var gate = new ConcurrencyGate(new RunLedger(launcher, Options.Create(new SidecarOptions()), NullLogger<RunLedger>.Instance));
            tickers.Add(new CronTicker(evaluator, gate, launcher, new NoActivity(), new ModelledCheckpoint(store), metrics, time, options,
                Options.Create(new SidecarOptions()), NullLogger<CronTicker>.Instance));
        }

        // A quiet tick before the boundary: what every second costs.
        time.SetUtcNow(boundary.AddSeconds(-1));
        foreach (var ticker in tickers)
        {
            await ticker.TickAsync(CancellationToken.None);
        }
        store.ResetCounters();
        time.SetUtcNow(boundary.AddSeconds(-0.5));
        foreach (var ticker in tickers)
        {
            await ticker.TickAsync(CancellationToken.None);
        }
        var (quietReads, quietWrites) = (store.Reads, store.Writes);

        // The boundary: all due at 10:00:00; replica i ticks PhasesS[i] after it (real time).
        store.ResetCounters();
        time.SetUtcNow(boundary.AddSeconds(0.9));
        clock.Start();
        var ticks = tickers.Select((ticker, i) => Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(PhasesS[i % PhasesS.Length]));
            await ticker.TickAsync(CancellationToken.None);
        })).ToArray();
        await Task.WhenAll(ticks);
        var tickEnd = clock.Elapsed.TotalSeconds;
        foreach (var ticker in tickers)
        {
            ticker.Dispose();
        }
        return new ReplicaTick(replicas, shared, rtt.TotalMilliseconds, store.Reads, store.Writes, store.Started, store.AlreadyExisted,
            (double)store.LastLaunchTicks / Stopwatch.Frequency, tickEnd, quietReads, quietWrites);
    }
}

internal static class ReplicasReport
{
    public static async Task RunAsync(int events)
    {
        await Replicas.MeasureAsync(2_000, 3, TimeSpan.Zero); // warm-up, discarded
        var calibrate = Stopwatch.StartNew();
        for (var i = 0; i < 200; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1));
        }
        var delayMs = calibrate.Elapsed.TotalMilliseconds / 200;
        var rows = new List<ReplicaTick>();
        foreach (var rtt in new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(1) })
        {
            foreach (var replicas in new[] { 1, 3 })
            {
                rows.Add(await Replicas.MeasureAsync(events, replicas, rtt));
            }
        }
        rows.Add(await Replicas.MeasureAsync(events, 3, TimeSpan.FromMilliseconds(1), shared: true));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"## {events:N0} cron events due at one minute boundary, one shared state store"));
        Console.WriteLine("| replicas | due events | RTT per call | state reads (boundary tick) | state writes | runs started | already existed | last launch after boundary | reads+writes per s over the burst | quiet tick reads / writes |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            var opsPerS = (r.Reads + r.Writes) / Math.Max(r.LastLaunchS - 0.10, 0.001);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Replicas} | {(r.Shared ? "shared by ownership (proposal, bench only)" : "all, each replica")} | {r.RttMs:F0} ms | {r.Reads:N0} | {r.Writes:N0} | {r.Started:N0} | {r.Existed:N0} | {r.LastLaunchS:F2} s | {opsPerS:N0} | {r.QuietReads} / {r.QuietWrites} |"));
        }
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"A 1 ms Task.Delay took {delayMs:F2} ms on average here (timer resolution and the shared cores): the \"1 ms\" rows are that much per round trip. Launch parallelism: CronTriggerOptions.LaunchParallelism = {new CronTriggerOptions().LaunchParallelism} per replica."));
        var one = rows.First(r => r.Replicas == 1 && r.RttMs == 1);
        var three = rows.First(r => r.Replicas == 3 && r.RttMs == 1 && !r.Shared);
        var shared = rows.First(r => r.Shared);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT events={events} reads_1={one.Reads} writes_1={one.Writes} last_launch_s_1={one.LastLaunchS:F2} reads_3={three.Reads} writes_3={three.Writes} last_launch_s_3={three.LastLaunchS:F2} started_3={three.Started} read_ratio={(double)three.Reads / one.Reads:F2} delay_ms={delayMs:F2} shared_reads_3={shared.Reads} shared_writes_3={shared.Writes} shared_last_launch_s_3={shared.LastLaunchS:F2} shared_started_3={shared.Started}"));
    }
}
