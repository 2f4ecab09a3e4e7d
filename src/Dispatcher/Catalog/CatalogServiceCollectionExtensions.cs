using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Arkonis.Dispatcher.Catalog;

public static class CatalogServiceCollectionExtensions
{
    /// <summary>The catalog, filled from a directory of ArkEvent YAML files (<c>Catalog:Directory</c>).</summary>
    public static IServiceCollection AddYamlCatalog(this IServiceCollection services)
    {
        services.TryAddSingleton<ArkEventCatalog>();
        services.AddOptions<CatalogOptions>().BindConfiguration(CatalogOptions.SectionName)
            .Validate(o => !string.IsNullOrWhiteSpace(o.Directory) && o.PollInterval > TimeSpan.Zero, "Catalog:Directory is required and Catalog:PollInterval must be positive.")
            .ValidateOnStart();
        services.AddSingleton<YamlDirectoryCatalogSource>();
        services.AddHostedService(sp => sp.GetRequiredService<YamlDirectoryCatalogSource>());
        return services;
    }
}
