using System.Net;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>Cluster mode: <c>/readyz</c> is 503 until the ArkEvents are listed, 200 after; the YAML source does not run.</summary>
public sealed class ClusterReadinessTests : IAsyncLifetime
{
    private KubeApiStandIn _api = null!;
    private FakeDaprSidecar _sidecar = null!;
    private DispatcherApp _app = null!;
    private HttpClient _client = null!;
    private readonly string _unusedCatalog = Directory.CreateTempSubdirectory("arkevent-unused-").FullName;

    public async Task InitializeAsync()
    {
        _api = await KubeApiStandIn.StartAsync();
        _api.Seed("arkevents", Fixtures.Webhook("hook", pipelines: "research-flow"));
        // The API server is away when the dispatcher starts: nothing can be listed yet.
        _api.Unavailable = true;
        _sidecar = await FakeDaprSidecar.StartAsync(TimeSpan.FromMilliseconds(10));
        _app = ClusterEndToEndTests.ClusterApp(_sidecar, _api, _unusedCatalog);
        _app.UseKestrel();
        _app.StartServer();
        _client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_app.PublicPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        await _sidecar.DisposeAsync();
        await _api.DisposeAsync();
        Directory.Delete(_unusedCatalog, recursive: true);
    }

    [Fact]
    public async Task Readyz_is_503_until_the_arkevents_are_listed_then_200()
    {
        using (var before = await _client.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/healthz")).StatusCode);

        _api.Unavailable = false;
        await DispatcherFixture.EventuallyAsync(
            async () =>
            {
                using var response = await _client.GetAsync("/readyz");
                return response.StatusCode;
            },
            status => status == HttpStatusCode.OK,
            Eventually.DefaultDeadline,
            "readiness after the list");
        Assert.NotNull(_app.Services.GetRequiredService<ArkEventCatalog>().Find("team-a", "hook"));
    }

    [Fact]
    public async Task Metrics_name_the_service_and_the_pod()
    {
        var metrics = await _client.GetStringAsync("/metrics");
        var targetInfo = metrics.Split('\n').Single(line => line.StartsWith("target_info{", StringComparison.Ordinal));
        Assert.Contains("service_name=\"arkevent-dispatcher\"", targetInfo, StringComparison.Ordinal);
        Assert.Contains("service_instance_id=\"pod-a\"", targetInfo, StringComparison.Ordinal);
    }

    [Fact]
    public void The_yaml_source_is_not_registered()
    {
        Assert.Null(_app.Services.GetService<YamlDirectoryCatalogSource>());
        Assert.DoesNotContain(_app.Services.GetServices<IHostedService>(), s => s is YamlDirectoryCatalogSource);
    }
}
