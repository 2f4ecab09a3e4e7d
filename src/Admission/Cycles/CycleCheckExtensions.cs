using k8s;

namespace Arkonis.Admission.Cycles;

internal static class CycleCheckExtensions
{
    /// <summary>
    /// In a cluster: the pod's service account; locally: the kubeconfig; otherwise the check reports itself unavailable.
    /// The client is built on the first cycle check, not at the first request: most reviews never need it.
    /// </summary>
    public static IServiceCollection AddFlowCycleCheck(this IServiceCollection services)
    {
        services.AddSingleton<FlowCycleCheck>();
        services.AddSingleton<IArkEventLister>(_ => new DeferredArkEventLister(CreateLister));
        return services;
    }

    private static IArkEventLister CreateLister()
    {
        var config = LoadKubernetesConfiguration();
        return config is null
            ? new UnavailableArkEventLister()
            : new KubernetesArkEventLister(new Kubernetes(config));
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
