using Arkonis.Admission.Observability;
using Arkonis.Admission.Tests.Support;
using Arkonis.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Admission.Tests.Monitoring;

/// <summary>
/// Every admission metric the Grafana dashboard (deploy/monitoring) queries is in the webhook's real <c>/metrics</c>
/// after a review of each kind; and the ServiceMonitors scrape ports the Services really name.
/// </summary>
public sealed class DashboardMetricsTests(AdmissionApp app) : IClassFixture<AdmissionApp>
{
    [Fact]
    public async Task Every_admission_metric_the_dashboard_queries_is_exported()
    {
        var wanted = GrafanaDashboard.MetricNames(await File.ReadAllTextAsync(GrafanaDashboard.PathIn(Repo.RepositoryRoot)))
            .Where(name => name.StartsWith("arkevent_admission_", StringComparison.Ordinal))
            .ToList();
        Assert.Contains("arkevent_admission_requests_total", wanted);

        var client = new AdmissionClient(app.CreateClient());
        var manifest = ApiServer.AsStored(Repo.LoadOne(Repo.DeployPath("examples", "webhook.yaml")));
        await client.ValidateAsync(ApiServer.Review("CREATE", manifest));
        await client.MutateAsync(ApiServer.Review("CREATE", manifest));
        app.Services.GetRequiredService<AdmissionMetrics>().RecordCycleCheck("clear");

        var exported = GrafanaDashboard.Exported(await app.CreateClient().GetStringAsync("/metrics"));

        Assert.All(wanted, name => Assert.Contains(name, exported));
    }

    [Theory]
    [InlineData("arkevent-dispatcher", "dispatcher")]
    [InlineData("arkevent-admission", "admission")]
    public void A_service_monitor_scrapes_a_port_its_service_names(string name, string folder)
    {
        var monitor = Repo.LoadKind(Repo.DeployPath("monitoring", "servicemonitors.yaml"), "ServiceMonitor").Single(m => m["metadata"]!["name"]!.GetValue<string>() == name);
        var service = Repo.LoadKind(Repo.DeployPath(folder, "service.yaml"), "Service").Single();

        var selector = monitor["spec"]!["selector"]!["matchLabels"]!.AsObject();
        Assert.All(selector, label => Assert.Equal(label.Value!.GetValue<string>(), service["metadata"]!["labels"]![label.Key]!.GetValue<string>()));
        Assert.Equal(service["metadata"]!["namespace"]!.GetValue<string>(), monitor["metadata"]!["namespace"]!.GetValue<string>());
        var ports = service["spec"]!["ports"]!.AsArray().Select(p => p!["name"]!.GetValue<string>());
        Assert.All(monitor["spec"]!["endpoints"]!.AsArray(), endpoint =>
        {
            Assert.Contains(endpoint!["port"]!.GetValue<string>(), ports);
            Assert.Equal("/metrics", endpoint["path"]!.GetValue<string>());
        });
    }

    [Fact]
    public void The_monitoring_folder_stays_out_of_the_default_kustomization()
    {
        var resources = Repo.Load(Repo.DeployPath("kustomization.yaml")).Single()["resources"]!.AsArray().Select(r => r!.GetValue<string>());

        Assert.DoesNotContain("monitoring", resources);
    }
}
