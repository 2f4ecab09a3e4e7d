using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>
/// The whole dispatcher (its own Program) in cluster mode on real loopback ports: ArkEvents from a stand-in API
/// server, Dapr a fake sidecar that delivers back to the callback port, leases short enough for tests. One per test;
/// what the API server holds (or whether it answers) when the dispatcher starts is set in <c>prepare</c>.
/// </summary>
internal sealed class ClusterHost : IAsyncDisposable
{
    private readonly string _unusedCatalog;

    private ClusterHost(KubeApiStandIn api, EmbeddedDaprRuntime sidecar, DispatcherApp app, string unusedCatalog)
    {
        Api = api;
        Sidecar = sidecar;
        App = app;
        _unusedCatalog = unusedCatalog;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{app.PublicPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public KubeApiStandIn Api { get; }

    public EmbeddedDaprRuntime Sidecar { get; }

    public DispatcherApp App { get; }

    /// <summary>The public port (the trigger API, health, metrics).</summary>
    public HttpClient Client { get; }

    public static async Task<ClusterHost> StartAsync(Action<KubeApiStandIn> prepare)
    {
        var api = await KubeApiStandIn.StartAsync();
        prepare(api);
        var sidecar = await EmbeddedDaprRuntime.StartAsync(TimeSpan.FromMilliseconds(10));
        // Cluster mode reads no YAML; the directory only satisfies the options.
        var unusedCatalog = Directory.CreateTempSubdirectory("arkevent-unused-").FullName;
        var app = new DispatcherApp(sidecar, unusedCatalog, new Dictionary<string, string?>
        {
            // Retries after a failed list stay short, whatever happened before.
            ["Dispatcher:Kubernetes:MaxBackoff"] = "00:00:01",
            ["Dispatcher:Mode"] = "Kubernetes",
            ["Dispatcher:Kubernetes:ApiServerUrl"] = api.Url,
            ["Dispatcher:Kubernetes:PodName"] = "pod-a",
            ["Dispatcher:Kubernetes:LeaseDuration"] = "00:00:02",
            ["Dispatcher:Kubernetes:RenewDeadline"] = "00:00:01.500",
            ["Dispatcher:Kubernetes:RetryPeriod"] = "00:00:00.200",
            ["TriggerApi:TokenCacheTtl"] = "00:00:00.200",
        });
        app.UseKestrel();
        app.StartServer();
        sidecar.PubSub.AppBase = new Uri($"http://127.0.0.1:{app.CallbackPort}");
        return new ClusterHost(api, sidecar, app, unusedCatalog);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        await Sidecar.DisposeAsync();
        await Api.DisposeAsync();
        Directory.Delete(_unusedCatalog, recursive: true);
    }
}
