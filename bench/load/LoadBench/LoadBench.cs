using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Workflows;
using Arkonis.Embedded.Hosting;
using Arkonis.Embedded.Runtime;
using Dapr.DurableTask.Protobuf;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Arkonis.Dispatcher.Bench.Load;

/// <summary>
/// Issue 12's load report: minutes of bounded, paced load on the trigger API of the dispatcher (in process with the
/// embedded runtime), mixing accepted async fires to events of 1-3 targets, sync fires, deliberate 4xx and bursts that
/// meet the rate limit (429). Checks that nothing else is answered, that every accepted run reaches a final state
/// (polled through the run API, then purged as Dapr's workflow state retention would), and samples the live heap and
/// the working set. A bare endpoint is the ceiling, paced the same way, and both are measured flat out at the end.
/// Prints <c>SUMMARY</c>, <c>LAT</c>, <c>STATUS</c> and <c>MEM</c> lines. Not top-level statements: the dispatcher's <c>Program</c> must stay the only one.
/// </summary>
internal static class LoadBench
{
    private const string Token = "bench-token";

    private enum Kind { Async, Sync, WrongToken, UnknownTrigger, BadJson, Oversize, Hot, Ceiling }

    /// <summary>What each kind may be answered; anything else is an error of the run.</summary>
    private static readonly Dictionary<Kind, int[]> Expected = new()
    {
        [Kind.Async] = [202],
        [Kind.Sync] = [200],
        [Kind.WrongToken] = [401],
        [Kind.UnknownTrigger] = [401],
        [Kind.BadJson] = [400],
        [Kind.Oversize] = [413],
        [Kind.Hot] = [202, 429],
        [Kind.Ceiling] = [202],
    };

    /// <summary>Events and their target counts; "hot" gets only the bursts, over its rate.</summary>
    private static readonly (string Name, int Targets)[] Events = [("one", 1), ("two", 2), ("three", 3), ("hot", 1)];

    private readonly record struct Outcome(Kind Kind, int Status, double Micros);

    private sealed record PendingRun(string Trigger, string RunId, long AcceptedAt)
    {
        public long NextCheck { get; set; }
    }

    public static async Task Main(string[] args)
    {
        var durationS = Arg(args, 0, 180);
        var rate = Arg(args, 1, 100);
        var concurrency = Arg(args, 2, 32);
        var burst = Arg(args, 3, 400);
        var burstEveryS = Arg(args, 4, 20);
        var sampleS = Arg(args, 5, 5);
        var capacityN = Arg(args, 6, 5000);
        var flowMs = Arg(args, 7, 50);

        var catalog = Directory.CreateTempSubdirectory("arkevent-load-").FullName;
        foreach (var (name, targets) in Events)
        {
            var pipelines = string.Join(", ", Enumerable.Range(1, targets).Select(t => $"{{ pipeline: echo-{t} }}"));
            await File.WriteAllTextAsync(Path.Combine(catalog, name + ".yaml"), $$"""
                apiVersion: arkonis.dev/v1alpha1
                kind: ArkEvent
                metadata: { name: {{name}}, namespace: default }
                spec:
                  source: { type: webhook }
                  targets: [ {{pipelines}} ]
                """);
        }
        BenchSetup.UseDispatcherContentRoot();

        await using var sidecar = await EmbeddedDaprRuntime.StartAsync(TimeSpan.FromMilliseconds(flowMs));
        foreach (var (name, _) in Events)
        {
            sidecar.Runtime.Secrets[name + "-webhook-token"] = new Dictionary<string, string> { ["token"] = Token };
        }
        // Per trigger 200/s (burst 200): the paced events stay far under it, a burst of "hot" goes over it. The
        // per-client limit is lifted: every request comes from 127.0.0.1. Bodies over 4 KiB are 413.
        await using var dispatcher = new DispatcherApp(sidecar, catalog, new Dictionary<string, string?>
        {
            ["TriggerApi:RatePerSecond"] = "200",
            ["TriggerApi:RateBurst"] = "200",
            ["TriggerApi:ClientRatePerSecond"] = "1000000",
            ["TriggerApi:ClientRateBurst"] = "1000000",
            ["TriggerApi:MaxBodyBytes"] = "4096",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        dispatcher.UseKestrel();
        dispatcher.StartServer();
        sidecar.PubSub.AppBase = new Uri($"http://127.0.0.1:{dispatcher.CallbackPort}");
        using var workflowChannel = GrpcChannel.ForAddress(sidecar.GrpcEndpoint);
        var workflows = new TaskHubSidecarService.TaskHubSidecarServiceClient(workflowChannel);

        // The ceiling: the least the fire surface must do (parse a JSON object body, answer a fixed 202).
        var (ceiling, ceilingPort) = await BenchSetup.StartCeilingAsync(BenchSetup.MapFireCeiling);

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency + 96 })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{dispatcher.PublicPort}"),
            Timeout = TimeSpan.FromSeconds(60),
        };
        var ceilingUri = new Uri($"http://127.0.0.1:{ceilingPort}/ceiling");
        var pending = new ConcurrentQueue<PendingRun>();
        var finals = new ConcurrentDictionary<string, int>();
        var timeToFinalMs = new ConcurrentBag<double>();
        var retired = 0;
        var lost = 0;
        var pollRateLimited = 0;
        var pollStates = new ConcurrentDictionary<string, int>();
        Console.WriteLine($"READY pid={Environment.ProcessId} public={dispatcher.PublicPort} ceiling={ceilingPort}");

        // Warm-up: JIT, connections, token caches, the workflow path.
        await PacedAsync(client, ceilingUri, 300, rate, concurrency, (_, _) => Kind.Ceiling, [], new());
        await PacedAsync(client, ceilingUri, 600, rate, concurrency, MixFor(new Random(7)), [], new());

        // The ceiling at the same pace, for the latency under this load.
        var ceilingPaced = new List<Outcome>();
        await PacedAsync(client, ceilingUri, Math.Min(rate * 15, 3000), rate, concurrency, (_, _) => Kind.Ceiling, ceilingPaced, pending);

        // The poller: every accepted run is read through the run API until it is final, then purged.
        using var stopPolling = new CancellationTokenSource();
        var poller = Task.Run(async () =>
        {
            while (!stopPolling.IsCancellationRequested || !pending.IsEmpty)
            {
                var now = Stopwatch.GetTimestamp();
                var due = new List<PendingRun>();
                var later = new List<PendingRun>();
                while (pending.TryDequeue(out var run))
                {
                    (run.NextCheck <= now ? due : later).Add(run);
                }
                foreach (var run in later)
                {
                    pending.Enqueue(run);
                }
                await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (run, token) =>
                {
                    using var read = new HttpRequestMessage(HttpMethod.Get, $"/triggers/default/{run.Trigger}/runs/{Uri.EscapeDataString(run.RunId)}");
                    read.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
                    using var response = await client.SendAsync(read, token);
                    var status = (int)response.StatusCode;
                    if (status == 200)
                    {
                        var view = JsonNode.Parse(await response.Content.ReadAsStringAsync(token))!;
                        var state = (string)view["status"]!;
                        pollStates.AddOrUpdate(state, 1, (_, n) => n + 1);
                        if (state is "Succeeded" or "Failed" or "TimedOut")
                        {
                            finals.AddOrUpdate(state, 1, (_, n) => n + 1);
                            timeToFinalMs.Add(Stopwatch.GetElapsedTime(run.AcceptedAt).TotalMilliseconds);
                            await RetireAsync(workflows, sidecar, run.RunId);
                            Interlocked.Increment(ref retired);
                            return;
                        }
                    }
                    else if (status == 404)
                    {
                        Interlocked.Increment(ref lost);
                        return;
                    }
                    else if (status == 429)
                    {
                        Interlocked.Increment(ref pollRateLimited);
                    }
                    run.NextCheck = Stopwatch.GetTimestamp() + Stopwatch.Frequency; // again in a second
                    pending.Enqueue(run);
                });
                await Task.Delay(100);
            }
        });

        // The load: a fixed count, paced; bursts to "hot" beside it; the memory sampled every few seconds.
        var normalN = rate * durationS;
        var bursts = durationS / burstEveryS;
        var outcomes = new List<Outcome>(normalN + bursts * burst);
        var memory = new List<(double Seconds, double LiveMb, double RssMb, int Pending)>();
        var loadClock = Stopwatch.StartNew();
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                memory.Add(Sample(loadClock, pending.Count));
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(sampleS), stopSampling.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
        var burstOutcomes = new List<Outcome>();
        var burster = Task.Run(async () =>
        {
            for (var b = 0; b < bursts; b++)
            {
                var at = TimeSpan.FromSeconds(burstEveryS * b + burstEveryS / 2.0);
                if (at > loadClock.Elapsed)
                {
                    await Task.Delay(at - loadClock.Elapsed);
                }
                var results = new Outcome[burst];
                await Parallel.ForAsync(0, burst, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
                    results[i] = await SendAsync(client, ceilingUri, Kind.Hot, i, pending));
                lock (burstOutcomes)
                {
                    burstOutcomes.AddRange(results);
                }
            }
        });
        await PacedAsync(client, ceilingUri, normalN, rate, concurrency, MixFor(new Random(42)), outcomes, pending);
        await burster;
        var loadSeconds = loadClock.Elapsed.TotalSeconds;
        outcomes.AddRange(burstOutcomes);

        // Drain: every accepted run must reach a final state; two minutes at most after the load.
        var drainUntil = Stopwatch.GetTimestamp() + 120 * Stopwatch.Frequency;
        while (!pending.IsEmpty && Stopwatch.GetTimestamp() < drainUntil)
        {
            await Task.Delay(250);
        }
        var notFinal = pending.Count;
        stopSampling.Cancel();
        await sampler;
        memory.Add(Sample(loadClock, pending.Count));
        stopPolling.Cancel();
        if (notFinal == 0)
        {
            await poller;
        }

        // The ceiling flat out, for scale: the paced load is this far from what the machine answers at all.
        var capacityCeiling = await FlatOutAsync(client, ceilingUri, capacityN, concurrency, Kind.Ceiling);

        var accepted = outcomes.Count(o => o.Status == 202) + outcomes.Count(o => o.Kind == Kind.Sync && o.Status == 200);
        var unexpected = outcomes.Count(o => !Expected[o.Kind].Contains(o.Status));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SUMMARY duration_s={loadSeconds:0.0} requests={outcomes.Count} paced={normalN} bursts={bursts}x{burst} rate={rate} achieved_rps={normalN / loadSeconds:0.0} c={concurrency} " +
            $"accepted={accepted} async_202={outcomes.Count(o => o.Kind is Kind.Async or Kind.Hot && o.Status == 202)} sync_200={outcomes.Count(o => o.Kind == Kind.Sync && o.Status == 200)} " +
            $"deliberate_4xx={outcomes.Count(o => o.Kind is Kind.WrongToken or Kind.UnknownTrigger or Kind.BadJson or Kind.Oversize && Expected[o.Kind].Contains(o.Status))} " +
            $"rate_limited_429={outcomes.Count(o => o.Status == 429)} unexpected={unexpected} " +
            $"final={string.Join(',', finals.Select(f => $"{f.Key}:{f.Value}"))} final_total={finals.Values.Sum()} retired={retired} lost={lost + notFinal} lost_404={lost} not_final={notFinal} poll_429={pollRateLimited} " +
            $"time_to_final_p50_ms={Percentile([.. timeToFinalMs], 0.5):0} time_to_final_p99_ms={Percentile([.. timeToFinalMs], 0.99):0} " +
            $"capacity_ceiling_rps={capacityCeiling.Rps:0} capacity_ceiling_p50_ms={capacityCeiling.P50:0.00} capacity_ceiling_p99_ms={capacityCeiling.P99:0.00} " +
            $"rss_peak_mb={PeakRssMb():0}"));
        foreach (var group in outcomes.Concat(ceilingPaced.Select(o => o with { Kind = Kind.Ceiling })).GroupBy(o => o.Kind).OrderBy(g => g.Key))
        {
            var ms = group.Select(o => o.Micros / 1000).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"LAT kind={group.Key} n={ms.Length} p50_ms={Percentile(ms, 0.5):0.00} p90_ms={Percentile(ms, 0.9):0.00} p99_ms={Percentile(ms, 0.99):0.00} max_ms={ms.Max():0.00}"));
            foreach (var status in group.GroupBy(o => o.Status).OrderBy(s => s.Key))
            {
                Console.WriteLine($"STATUS kind={group.Key} status={status.Key} count={status.Count()} expected={Expected[group.Key].Contains(status.Key)}");
            }
        }
        foreach (var (seconds, live, rss, waiting) in memory)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MEM t={seconds:0.0} live_mb={live:0.0} rss_mb={rss:0.0} pending={waiting}"));
        }
        // What the embedded runtime and the flow-runner sample still hold per instance or per flow after the drain:
        // bounded records, and nothing of a purged run.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"LEFT histories={sidecar.Histories.Count} timers_armed={sidecar.Timers.Armed} patched_instances={sidecar.Patches.InstancesRecorded} " +
            $"flow_starts_kept={sidecar.FlowStarts.Snapshot().Count} correlation_ids={sidecar.FlowRuns.Remembered} deliveries_kept={sidecar.PubSub.Deliveries.Count} " +
            $"starts_kept={sidecar.Daprd.Starts.Count} state_keys={sidecar.State.Keys().Count}"));
        Console.WriteLine($"POLLS {string.Join(' ', pollStates.Select(p => $"{p.Key}={p.Value}"))}");
        await ceiling.StopAsync();
        Directory.Delete(catalog, true);
    }

    private static int Arg(string[] args, int i, int fallback) =>
        args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;

    /// <summary>The paced mix: mostly accepted async fires, some sync, a share of deliberate 4xx.</summary>
    private static Func<int, Random, Kind> MixFor(Random random) => (_, _) =>
    {
        lock (random)
        {
            return random.Next(100) switch
            {
                < 72 => Kind.Async,
                < 78 => Kind.Sync,
                < 83 => Kind.WrongToken,
                < 88 => Kind.UnknownTrigger,
                < 94 => Kind.BadJson,
                _ => Kind.Oversize,
            };
        }
    };

    /// <summary><paramref name="n"/> requests at <paramref name="rate"/> per second, at most <paramref name="concurrency"/> in flight.</summary>
    private static async Task PacedAsync(HttpClient client, Uri ceiling, int n, int rate, int concurrency,
        Func<int, Random, Kind> kindOf, List<Outcome> into, ConcurrentQueue<PendingRun> pending)
    {
        using var slots = new SemaphoreSlim(concurrency);
        var results = new Outcome[n];
        var tasks = new Task[n];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (due - clock.Elapsed > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(due - clock.Elapsed);
            }
            await slots.WaitAsync();
            var index = i;
            var kind = kindOf(i, Random.Shared);
            tasks[i] = Task.Run(async () =>
            {
                try
                {
                    results[index] = await SendAsync(client, ceiling, kind, index, pending);
                }
                finally
                {
                    slots.Release();
                }
            });
        }
        await Task.WhenAll(tasks);
        into.AddRange(results);
    }

    private sealed record Capacity(double Rps, double P50, double P99, int Errors);

    private static async Task<Capacity> FlatOutAsync(HttpClient client, Uri ceiling, int n, int concurrency, Kind kind)
    {
        var results = new Outcome[n];
        var ignored = new ConcurrentQueue<PendingRun>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, n, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
            results[i] = await SendAsync(client, ceiling, kind, i, ignored));
        var ms = results.Select(r => r.Micros / 1000).ToArray();
        return new Capacity(n / clock.Elapsed.TotalSeconds, Percentile(ms, 0.5), Percentile(ms, 0.99), results.Count(r => r.Status != 202));
    }

    private static readonly string Oversize = JsonSerializer.Serialize(new { pad = new string('x', 8 * 1024) });

    private static async Task<Outcome> SendAsync(HttpClient client, Uri ceiling, Kind kind, int i, ConcurrentQueue<PendingRun> pending, string? trigger = null)
    {
        trigger ??= kind switch
        {
            Kind.Hot => "hot",
            Kind.UnknownTrigger => "nope" + (i % 1000).ToString("000", CultureInfo.InvariantCulture),
            _ => Events[i % 3].Name,
        };
        var path = kind == Kind.Sync ? $"/triggers/default/{trigger}/fire?mode=sync&timeout=30s" : $"/triggers/default/{trigger}/fire";
        using var request = new HttpRequestMessage(HttpMethod.Post, kind == Kind.Ceiling ? ceiling : new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", kind == Kind.WrongToken ? "not-the-token" : Token);
        var body = kind switch
        {
            Kind.BadJson => "{\"n\": ",
            Kind.Oversize => Oversize,
            _ => $"{{\"n\":{i}}}",
        };
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var micros = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            var status = (int)response.StatusCode;
            if (kind != Kind.Ceiling && status is 202 or 200)
            {
                var runId = (string)JsonNode.Parse(text)!["runId"]!;
                // Every accepted run is followed through the run API (a sync one is final already: one read).
                pending.Enqueue(new PendingRun(trigger, runId, started) { NextCheck = started + Stopwatch.Frequency });
            }
            return new Outcome(kind, status, micros);
        }
        catch (HttpRequestException)
        {
            return new Outcome(kind, 0, Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }
        catch (TaskCanceledException)
        {
            return new Outcome(kind, -1, Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }
    }

    /// <summary>What Dapr's workflow state retention and the claim's TTL do in a cluster: the finished run's state goes.</summary>
    private static async Task RetireAsync(TaskHubSidecarService.TaskHubSidecarServiceClient workflows, EmbeddedDaprRuntime sidecar, string runId)
    {
        await workflows.PurgeInstancesAsync(new PurgeInstancesRequest { InstanceId = runId });
        sidecar.State.Apply([StateChange.Delete(DaprRunClaims.Key(runId), null)]);
    }

    /// <summary>The live heap after a full, compacting collection, and the working set.</summary>
    private static (double, double, double, int) Sample(Stopwatch clock, int pending)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var live = GC.GetTotalMemory(false) / 1048576.0;
        using var process = Process.GetCurrentProcess();
        return (clock.Elapsed.TotalSeconds, live, process.WorkingSet64 / 1048576.0, pending);
    }

    private static double PeakRssMb() =>
        long.Parse(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("VmHWM", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;

    private static double Percentile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }
        Array.Sort(values);
        return values[Math.Min(values.Length - 1, (int)(p * values.Length))];
    }
}
