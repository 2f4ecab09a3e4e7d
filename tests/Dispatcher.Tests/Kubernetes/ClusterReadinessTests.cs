using System.Net;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Tests.Harness;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>Cluster mode: <c>/readyz</c> is 503 until the ArkEvents are listed, 200 after; the YAML source does not run.</summary>
public sealed class ClusterReadinessTests : IAsyncLifetime
{
    private ClusterHost _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterHost.StartAsync(api =>
    {
        api.Seed("arkevents", Fixtures.Webhook("hook", pipelines: "research-flow"));
        // The API server is away when the dispatcher starts: nothing can be listed yet.
        api.Unavailable = true;
    });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Readyz_is_503_until_the_arkevents_are_listed_then_200()
    {
        using (var before = await _cluster.Client.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await _cluster.Client.GetAsync("/healthz")).StatusCode);

        _cluster.Api.Unavailable = false;
        await DispatcherFixture.EventuallyAsync(
            async () =>
            {
                using var response = await _cluster.Client.GetAsync("/readyz");
                return response.StatusCode;
            },
            status => status == HttpStatusCode.OK,
            Eventually.DefaultDeadline,
            "readiness after the list");
        Assert.NotNull(_cluster.App.Services.GetRequiredService<ArkEventCatalog>().Find("team-a", "hook"));
    }

    [Fact]
    public async Task Metrics_name_the_service_and_the_pod()
    {
        var metrics = await _cluster.Client.GetStringAsync("/metrics");
        var targetInfo = metrics.Split('\n').Single(line => line.StartsWith("target_info{", StringComparison.Ordinal));
        Assert.Contains("service_name=\"arkevent-dispatcher\"", targetInfo, StringComparison.Ordinal);
        Assert.Contains("service_instance_id=\"pod-a\"", targetInfo, StringComparison.Ordinal);
    }

    [Fact]
    public void The_yaml_source_is_not_registered()
    {
        Assert.Null(_cluster.App.Services.GetService<YamlDirectoryCatalogSource>());
        Assert.DoesNotContain(_cluster.App.Services.GetServices<IHostedService>(), s => s is YamlDirectoryCatalogSource);
    }
}
