using System.Text.Json.Nodes;
using Arkonis.Embedded.Hosting;
using Arkonis.Embedded.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Arkonis.Dispatcher.Bench;

/// <summary>Not top-level statements: the dispatcher's own <c>Program</c> must stay the only one in scope.</summary>
internal static class BenchHost
{
    public static async Task Main(string[] args)
    {
        // Starts everything the benchmark needs, prints one READY line with the ports, and runs until stdin closes.
        var flowDelay = TimeSpan.FromMilliseconds(args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 100);
        var catalog = Directory.CreateTempSubdirectory("arkevent-bench-").FullName;
        await File.WriteAllTextAsync(Path.Combine(catalog, "bench.yaml"), """
            apiVersion: arkonis.dev/v1alpha1
            kind: ArkEvent
            metadata: { name: bench, namespace: default }
            spec:
              source: { type: webhook }
              targets: [ { pipeline: echo } ]
            """);

        BenchSetup.UseDispatcherContentRoot();

        await using var sidecar = await EmbeddedDaprRuntime.StartAsync(flowDelay);
        sidecar.Runtime.Secrets["bench-webhook-token"] = new Dictionary<string, string> { ["token"] = "bench-token" };
        await using var dispatcher = new DispatcherApp(sidecar, catalog, new Dictionary<string, string?>
        {
            ["TriggerApi:RatePerSecond"] = "1000000",
            ["TriggerApi:RateBurst"] = "1000000",
            ["Logging:LogLevel:Default"] = Environment.GetEnvironmentVariable("BENCH_LOG_LEVEL") ?? "Warning",
        },
        configureServices: services => services.AddLogging(logging => logging.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ")));
        dispatcher.UseKestrel();
        dispatcher.StartServer();
        sidecar.PubSub.AppBase = new Uri($"http://127.0.0.1:{dispatcher.CallbackPort}");

        // The ceiling: the least the fire surface must do (parse a JSON object body, answer a fixed 202).
        var (ceiling, ceilingPort) = await BenchSetup.StartCeilingAsync(BenchSetup.MapFireCeiling);

        Console.WriteLine($"READY public={dispatcher.PublicPort} ceiling={ceilingPort} pid={Environment.ProcessId}");
        await Console.In.ReadToEndAsync();
        await ceiling.StopAsync();
        Directory.Delete(catalog, true);
    }
}
