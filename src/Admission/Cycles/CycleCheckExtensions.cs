using k8s;

namespace Arkonis.Admission.Cycles;

internal static class CycleCheckExtensions
{
    /// <summary>In a cluster: the pod's service account; locally: the kubeconfig; otherwise the check reports itself unavailable.</summary>
    public static IServiceCollection AddFlowCycleCheck(this IServiceCollection services)
    {
        services.AddSingleton<FlowCycleCheck>();
        services.AddSingleton<IArkEventLister>(_ =>
        {
            var config = LoadKubernetesConfiguration();
            return config is null
                ? new UnavailableArkEventLister()
                : new KubernetesArkEventLister(new Kubernetes(config));
        });
        return services;
    }

    private static KubernetesClientConfiguration? LoadKubernetesConfiguration()
    {
        if (KubernetesClientConfiguration.IsInCluster())
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }

        var path = Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator).FirstOrDefault(File.Exists)
                   ?? KubernetesClientConfiguration.KubeConfigDefaultLocation;
        return File.Exists(path) ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path) : null;
    }
}
