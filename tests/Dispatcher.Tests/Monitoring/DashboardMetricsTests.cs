using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Triggers;
using Arkonis.Model.Resources;
using Arkonis.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Dispatcher.Tests.Monitoring;

/// <summary>
/// Every dispatcher metric the Grafana dashboard (deploy/monitoring) queries is in the dispatcher's real
/// <c>/metrics</c> once each instrument has measured something: fires through the API (sync, async, refused) and,
/// for the cron instruments, measurements recorded on the dispatcher's own <see cref="TriggerMetrics"/>.
/// </summary>
public sealed class DashboardMetricsTests(DispatcherFixture app) : IClassFixture<DispatcherFixture>
{
    [Fact]
    public async Task Every_dispatcher_metric_the_dashboard_queries_is_exported()
    {
        var wanted = GrafanaDashboard.MetricNames(await File.ReadAllTextAsync(GrafanaDashboard.PathIn(RepositoryRoot())))
            .Where(name => !name.StartsWith("arkevent_admission_", StringComparison.Ordinal))
            .ToList();
        Assert.Contains("arkevent_runs_launched_total", wanted);
        Assert.Contains("http_server_request_duration_seconds_bucket", wanted);

        using (var sync = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire?mode=sync&timeout=20s", "{}"))
        using (var response = await app.Public.SendAsync(sync))
        {
            Assert.True(response.IsSuccessStatusCode);
        }

        using (var refused = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire", "{}", token: "wrong"))
        using (await app.Public.SendAsync(refused))
        {
        }

        var triggers = app.Services.GetRequiredService<TriggerMetrics>();
        triggers.Fired(SourceTypes.Cron);
        triggers.Skipped(SourceTypes.Cron, TriggerSkipReasons.Forbid);
        triggers.Late(TimeSpan.FromMilliseconds(40));
        triggers.TickEvaluated(TimeSpan.FromMilliseconds(2));

        var exported = await DispatcherFixture.EventuallyAsync(
            async () => GrafanaDashboard.Exported(await app.Public.GetStringAsync("/metrics")),
            names => wanted.All(names.Contains),
            TimeSpan.FromSeconds(20),
            "every dashboard metric in /metrics");
        Assert.All(wanted, name => Assert.Contains(name, exported));
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "ArkEvent.sln")))
        {
            dir = dir.Parent;
        }

        return dir.FullName;
    }
}
