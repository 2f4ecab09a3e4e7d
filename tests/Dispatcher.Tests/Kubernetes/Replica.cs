using System.Collections.Concurrent;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Kubernetes;
using Arkonis.Dispatcher.Kubernetes.Leadership;
using Arkonis.Dispatcher.Modes;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Dapr.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NSubstitute;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>
/// One dispatcher replica in cluster mode, with the Kubernetes mode's parts as Program.cs adds them (<c>AddKubernetesMode</c>), talking
/// to the stand-in API server through the real KubernetesClient. Dapr is a substitute that records publishes.
/// </summary>
public sealed class Replica : IAsyncDisposable
{
    private Replica(IHost host, string pod, DaprClient dapr, ConcurrentQueue<FlowCompleted> published)
    {
        Host = host;
        Pod = pod;
        Dapr = dapr;
        Published = published;
    }

    public IHost Host { get; }

    public string Pod { get; }

    public DaprClient Dapr { get; }

    public ConcurrentQueue<FlowCompleted> Published { get; }

    public IServiceProvider Services => Host.Services;

    public ArkEventCatalog Catalog => Services.GetRequiredService<ArkEventCatalog>();

    public LeaderElection Leadership => Services.GetRequiredService<LeaderElection>();

    public static async Task<Replica> StartAsync(KubeApiStandIn api, string pod, IDictionary<string, string?>? settings = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("ARK_TEST_LOG") == "1")
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug);
        }
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Dispatcher:Mode"] = "Kubernetes",
            ["Dispatcher:Kubernetes:ApiServerUrl"] = api.Url,
            ["Dispatcher:Kubernetes:PodName"] = pod,
            // Short leases (failover in about 2 s) with margins that hold on a busy 2-core CI machine.
            ["Dispatcher:Kubernetes:LeaseDuration"] = "00:00:02",
            ["Dispatcher:Kubernetes:RenewDeadline"] = "00:00:01.500",
            ["Dispatcher:Kubernetes:RetryPeriod"] = "00:00:00.200",
            ["Dispatcher:Kubernetes:MinBackoff"] = "00:00:00.020",
            ["Dispatcher:Kubernetes:MaxBackoff"] = "00:00:00.200",
            ["Dispatcher:Kubernetes:WebhookBaseUrl"] = "https://hooks.example.test",
            ["Dispatcher:Kubernetes:EventSeriesRefresh"] = "00:00:00.200",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        builder.AddKubernetesMode();

        var published = new ConcurrentQueue<FlowCompleted>();
        var dapr = Substitute.For<DaprClient>();
        dapr.PublishEventAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<FlowCompleted>(), Arg.Any<CancellationToken>())
            .Returns(call =>
            {
                published.Enqueue(call.ArgAt<FlowCompleted>(2));
                return Task.CompletedTask;
            });
        builder.Services.Replace(ServiceDescriptor.Singleton(dapr));

        var host = builder.Build();
        await host.StartAsync();
        return new Replica(host, pod, dapr, published);
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await Host.StopAsync(cts.Token);
        }
        finally
        {
            Host.Dispose();
        }
    }
}
