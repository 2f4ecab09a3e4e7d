using System.Net;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Tests.Harness;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Tests.Catalog;

/// <summary>Local mode: <c>/readyz</c> runs the YAML source's check, which holds until the directory has been read.</summary>
public sealed class YamlCatalogReadinessTests(DispatcherFixture app) : IClassFixture<DispatcherFixture>
{
    [Fact]
    public async Task The_check_is_unhealthy_until_the_directory_has_been_read()
    {
        var directory = Directory.CreateTempSubdirectory("arkevent-ready-").FullName;
        try
        {
            using var source = new YamlDirectoryCatalogSource(
                new ArkEventCatalog(),
                Options.Create(new CatalogOptions { Directory = directory, PollInterval = TimeSpan.FromMinutes(1) }),
                TimeProvider.System,
                NullLogger<YamlDirectoryCatalogSource>.Instance);
            var check = new YamlCatalogHealthCheck(source);

            Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
            source.Reload();
            Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Readyz_runs_the_yaml_check_and_the_sidecar_check_and_only_them()
    {
        using var response = await app.Public.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Tags.Contains("ready"));
        Assert.Equal(["dapr-sidecar", "yaml-catalog"], report.Entries.Keys.Order());
        Assert.Equal(HealthStatus.Healthy, report.Status);
    }
}
