using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Arkonis.Embedded.Hosting;
using Arkonis.Embedded.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Arkonis.Dispatcher.Bench.Flood;

/// <summary>
/// Issue 12's attack, bounded and over loopback: unauthenticated POSTs to random trigger names. Measures the secret
/// reads per request under the flood, the answers (401 / 429), and the latency of a wrong token for a known trigger
/// against an unknown name, interleaved at concurrency 1; a bare endpoint answering the same 401 is the ceiling.
/// Prints one line per run: <c>RUN key=value ...</c>. Not top-level statements: the dispatcher's <c>Program</c> must stay the only one.
/// </summary>
internal static class FloodBench
{
    public static async Task Main(string[] args)
    {
        var floodN = Arg(args, 0, 20_000);
        var concurrency = Arg(args, 1, 16);
        var timingN = Arg(args, 2, 5_000);
        var runs = Arg(args, 3, 3);

        var catalog = Directory.CreateTempSubdirectory("arkevent-flood-").FullName;
        await File.WriteAllTextAsync(Path.Combine(catalog, "bench.yaml"), """
            apiVersion: arkonis.dev/v1alpha1
            kind: ArkEvent
            metadata: { name: bench, namespace: default }
            spec:
              source: { type: webhook }
              targets: [ { pipeline: echo } ]
            """);
        BenchSetup.UseDispatcherContentRoot();

        await using var sidecar = await EmbeddedDaprRuntime.StartAsync(TimeSpan.FromMilliseconds(10));
        sidecar.Runtime.Secrets["bench-webhook-token"] = new Dictionary<string, string> { ["token"] = "bench-token" };
        // Two dispatchers: one with the default per-client limit (what a flood meets), one without it (so every
        // request reaches authentication and the reads per authenticated request are measured).
        await using var limited = await StartAsync(sidecar, catalog, []);
        await using var open = await StartAsync(sidecar, catalog, new()
        {
            ["TriggerApi:ClientRatePerSecond"] = "1000000",
            ["TriggerApi:ClientRateBurst"] = "1000000",
            ["TriggerApi:RatePerSecond"] = "1000000",
            ["TriggerApi:RateBurst"] = "1000000",
        });

        // The least an unauthenticated answer must do: read the header, answer a fixed 401 problem.
        var (ceiling, ceilingPort) = await BenchSetup.StartCeilingAsync(app => app.MapPost("/triggers/{ns}/{name}/fire", (HttpContext http, string ns, string name) =>
        {
            _ = http.Request.Headers.Authorization.ToString();
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"arkevent\"";
            return Results.Problem(statusCode: 401, type: "https://arkonis.dev/problems/unauthorized",
                title: "A valid bearer token for this trigger is required.", instance: http.Request.Path);
        }));

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency });
        Console.WriteLine($"READY pid={Environment.ProcessId}");

        // Warm-up: JIT, connections, the token cache.
        await FloodAsync(client, open.PublicPort, 2_000, concurrency);
        await FloodAsync(client, ceilingPort, 2_000, concurrency);
        await TimingAsync(client, open.PublicPort, 500);
        await TimingAsync(client, ceilingPort, 500);

        for (var run = 1; run <= runs; run++)
        {
            var readsBefore = sidecar.Runtime.SecretReads.Count;
            var flood = await FloodAsync(client, open.PublicPort, floodN, concurrency);
            var reads = sidecar.Runtime.SecretReads.Count - readsBefore;
            var floodCeiling = await FloodAsync(client, ceilingPort, floodN, concurrency);

            await Task.Delay(2_500); // the per-client bucket refills (2,000 at 1,000/s)
            var limitedReadsBefore = sidecar.Runtime.SecretReads.Count;
            var limitedFlood = await FloodAsync(client, limited.PublicPort, floodN, concurrency);
            var limitedReads = sidecar.Runtime.SecretReads.Count - limitedReadsBefore;

            var timing = await TimingAsync(client, open.PublicPort, timingN);
            var timingCeiling = await TimingAsync(client, ceilingPort, timingN);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RUN run={run} flood_n={floodN} c={concurrency} flood_rps={flood.Rps:0} flood_401={flood.Count(401)} flood_other={floodN - flood.Count(401)} " +
                $"flood_reads={reads} reads_per_request={(double)reads / floodN:0.######} flood_p50_us={flood.P50:0} flood_p99_us={flood.P99:0} " +
                $"ceiling_rps={floodCeiling.Rps:0} ceiling_p50_us={floodCeiling.P50:0} ceiling_p99_us={floodCeiling.P99:0} " +
                $"limited_rps={limitedFlood.Rps:0} limited_401={limitedFlood.Count(401)} limited_429={limitedFlood.Count(429)} limited_reads={limitedReads} " +
                $"timing_n={timingN} known_p50_us={timing.Known.P50:0.0} known_p99_us={timing.Known.P99:0.0} unknown_p50_us={timing.Unknown.P50:0.0} unknown_p99_us={timing.Unknown.P99:0.0} " +
                $"timing_ceiling_p50_us={timingCeiling.Unknown.P50:0.0} timing_ceiling_p99_us={timingCeiling.Unknown.P99:0.0}"));
        }
        Console.WriteLine($"RSS_PEAK_KB={File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("VmHWM", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]}");
        await ceiling.StopAsync();
        Directory.Delete(catalog, true);
    }

    private static int Arg(string[] args, int i, int fallback) =>
        args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;

    private static async Task<DispatcherApp> StartAsync(EmbeddedDaprRuntime sidecar, string catalog, Dictionary<string, string?> settings)
    {
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Logging:LogLevel:Arkonis"] = "Error"; // one rejection line per request would measure the console
        var app = new DispatcherApp(sidecar, catalog, settings);
        app.UseKestrel();
        app.StartServer();
        await Task.CompletedTask;
        return app;
    }

    private sealed record Sample(double[] MicrosSorted, int[] Statuses, double Seconds)
    {
        public double Rps => Statuses.Length / Seconds;
        public double P50 => Percentile(0.50);
        public double P99 => Percentile(0.99);
        public int Count(int status) => Statuses.Count(s => s == status);
        private double Percentile(double p) => MicrosSorted[Math.Min(MicrosSorted.Length - 1, (int)(p * MicrosSorted.Length))];
    }

    /// <summary>n POSTs, each to a new random 5-letter name with a wrong token, <paramref name="concurrency"/> at a time.</summary>
    private static async Task<Sample> FloodAsync(HttpClient client, int port, int n, int concurrency)
    {
        var micros = new double[n];
        var statuses = new int[n];
        var total = Stopwatch.StartNew();
        await Parallel.ForAsync(0, n, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            var (status, us) = await SendAsync(client, port, RandomName());
            micros[i] = us;
            statuses[i] = status;
        });
        total.Stop();
        Array.Sort(micros);
        return new Sample(micros, statuses, total.Elapsed.TotalSeconds);
    }

    /// <summary>Known ("bench", 5 letters) and unknown (random, 5 letters) names, interleaved, one request at a time.</summary>
    private static async Task<(Sample Known, Sample Unknown)> TimingAsync(HttpClient client, int port, int n)
    {
        var known = new double[n];
        var unknown = new double[n];
        for (var i = 0; i < n; i++)
        {
            // Alternate which goes first, so neither profits from the other's warm path.
            if (i % 2 == 0)
            {
                known[i] = (await SendAsync(client, port, "bench")).Micros;
                unknown[i] = (await SendAsync(client, port, RandomName())).Micros;
            }
            else
            {
                unknown[i] = (await SendAsync(client, port, RandomName())).Micros;
                known[i] = (await SendAsync(client, port, "bench")).Micros;
            }
        }
        Array.Sort(known);
        Array.Sort(unknown);
        return (new Sample(known, [], 1), new Sample(unknown, [], 1));
    }

    private static async Task<(int Status, double Micros)> SendAsync(HttpClient client, int port, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/triggers/default/{name}/fire");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token-0123456789");
        var started = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return ((int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMicroseconds);
    }

    private static string RandomName() =>
        string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + Random.Shared.Next(26));
            }
        });
}
