using Arkonis.Hosting;
using Arkonis.Dispatcher.Hosting;
using k8s;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Kubernetes;

public static class KubernetesClientExtensions
{
    /// <summary>The cluster-mode options (<c>Dispatcher:Kubernetes</c>) and the one Kubernetes client built from them.</summary>
    public static IServiceCollection AddKubernetesClient(this IServiceCollection services)
    {
        services.AddValidatedOptions<KubernetesModeOptions, KubernetesModeOptionsValidator>(KubernetesModeOptions.Section);
        services.AddSingleton<IKubernetes>(sp => new k8s.Kubernetes(ClientConfiguration(sp.GetRequiredService<IOptions<KubernetesModeOptions>>().Value)));
        return services;
    }

    internal static KubernetesClientConfiguration ClientConfiguration(KubernetesModeOptions options) =>
        options.ApiServerUrl is { Length: > 0 } url
            ? new KubernetesClientConfiguration { Host = url, UserAgent = options.PodName }
            : KubernetesClientConfiguration.IsInCluster()
                ? KubernetesClientConfiguration.InClusterConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigFile();
}
