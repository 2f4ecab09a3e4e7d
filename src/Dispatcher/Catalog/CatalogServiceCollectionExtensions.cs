using Arkonis.Hosting;
using Arkonis.Dispatcher.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Arkonis.Dispatcher.Catalog;

public static class CatalogServiceCollectionExtensions
{
    /// <summary>
    /// The catalog filled from a directory of ArkEvent YAML files (<c>Catalog:Directory</c>), and its readiness check
    /// (local mode; in a cluster the watch fills it).
    /// </summary>
    public static IHostApplicationBuilder AddYamlCatalog(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton<ArkEventCatalog>();
        services.AddValidatedOptions<CatalogOptions, CatalogOptionsValidator>(CatalogOptions.SectionName);
        services.AddSingleton<YamlDirectoryCatalogSource>();
        services.AddHostedService(sp => sp.GetRequiredService<YamlDirectoryCatalogSource>());
        services.AddHealthChecks().AddCheck<YamlCatalogHealthCheck>("yaml-catalog", tags: [DispatcherPipeline.ReadyTag]);
        return builder;
    }
}

/// <summary>Ready once the catalog directory has been read (a failed read counts: the catalog then stays empty or as it was).</summary>
internal sealed class YamlCatalogHealthCheck(YamlDirectoryCatalogSource source) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(source.Loaded
            ? HealthCheckResult.Healthy("ArkEvent files loaded")
            : HealthCheckResult.Unhealthy("ArkEvent files not loaded yet"));
}
