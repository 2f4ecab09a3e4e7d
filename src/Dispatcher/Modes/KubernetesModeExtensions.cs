using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Kubernetes;
using Arkonis.Dispatcher.Kubernetes.Catalog;
using Arkonis.Dispatcher.Kubernetes.Completions;
using Arkonis.Dispatcher.Kubernetes.Events;
using Arkonis.Dispatcher.Kubernetes.Flows;
using Arkonis.Dispatcher.Kubernetes.Leadership;
using Arkonis.Dispatcher.Kubernetes.Reconciler;
using Arkonis.Dispatcher.Kubernetes.Status;
using Arkonis.Dispatcher.Kubernetes.Tokens;
using Arkonis.Dispatcher.Kubernetes.Watching;
using k8s;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Resources;

namespace Arkonis.Dispatcher.Modes;

public static class KubernetesModeExtensions
{
    public const string ModeKey = "Dispatcher:Mode";
    public const string KubernetesMode = "Kubernetes";

    /// <summary>True when <c>Dispatcher:Mode</c> is <c>Kubernetes</c>.</summary>
    public static bool IsKubernetesMode(this IConfiguration configuration) =>
        string.Equals(configuration[ModeKey], KubernetesMode, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Cluster mode, when <c>Dispatcher:Mode</c> is <c>Kubernetes</c> (otherwise nothing): ArkEvents come from a
    /// Kubernetes watch; flows start as ArkFlows; trigger activity becomes status and Events; the leader reconciles
    /// token Secrets and status, publishes flow completions and prunes run history.
    /// </summary>
    public static IHostApplicationBuilder AddKubernetesMode(this IHostApplicationBuilder builder)
    {
        if (!builder.Configuration.IsKubernetesMode())
        {
            return builder;
        }
        var services = builder.Services;
        services.AddOptions<KubernetesModeOptions>().BindConfiguration(KubernetesModeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ArkEventCatalog>();
        services.AddDaprClient();
        services.TryAddSingleton<IKubernetes>(sp => new k8s.Kubernetes(ClientConfiguration(sp.GetRequiredService<IOptions<KubernetesModeOptions>>().Value)));

        services.AddSingleton(sp =>
        {
            var metrics = new KubernetesModeMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
            metrics.Observe(sp.GetRequiredService<LeaderElection>(), sp.GetRequiredService<CatalogSyncState>());
            return metrics;
        });
        services.AddSingleton<ListWatchLoop>();
        services.AddSingleton<CatalogSyncState>();
        services.AddSingleton<LeaderElection>();
        services.AddSingleton<KubernetesEventRecorder>();
        services.AddSingleton<WebhookTokenSecrets>();
        services.AddSingleton<ArkEventStatusWriter>();
        services.AddSingleton<CompletionBridge>();
        services.Replace(ServiceDescriptor.Singleton<IFlowRunner, KubernetesFlowRunner>());
        services.Replace(ServiceDescriptor.Singleton<ITriggerActivity, KubernetesTriggerActivity>());

        services.AddHostedService<KubernetesCatalogSource>();
        services.AddHostedService(sp => sp.GetRequiredService<LeaderElection>());
        services.AddHostedService(sp => sp.GetRequiredService<KubernetesEventRecorder>());
        services.AddHostedService<ArkEventReconciler>();
        services.AddHostedService<FlowRunsController>();

        services.AddOpenTelemetry().ConfigureResource(resource => resource.AddDetector(sp =>
            new PodInstanceDetector(sp.GetRequiredService<IOptions<KubernetesModeOptions>>().Value.PodName)));
        services.AddHealthChecks().AddCheck<KubernetesCatalogHealthCheck>("kubernetes-catalog", tags: [DispatcherPipeline.ReadyTag]);
        return builder;
    }

    internal static KubernetesClientConfiguration ClientConfiguration(KubernetesModeOptions options) =>
        options.ApiServerUrl is { Length: > 0 } url
            ? new KubernetesClientConfiguration { Host = url, UserAgent = options.PodName }
            : KubernetesClientConfiguration.IsInCluster()
                ? KubernetesClientConfiguration.InClusterConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigFile();
}

/// <summary>Ready once the ArkEvent catalog has been listed; reports whether this replica leads.</summary>
internal sealed class KubernetesCatalogHealthCheck(CatalogSyncState sync, LeaderElection leadership) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["leader"] = leadership.IsLeader, ["currentLeader"] = leadership.CurrentLeader ?? string.Empty };
        return Task.FromResult(sync.IsSynced
            ? HealthCheckResult.Healthy("ArkEvents listed", data)
            : HealthCheckResult.Unhealthy("ArkEvents not listed yet", data: data));
    }
}

/// <summary>The pod name as <c>service.instance.id</c>, so each replica's metrics stay apart.</summary>
internal sealed class PodInstanceDetector(string podName) : IResourceDetector
{
    public Resource Detect() => new([new KeyValuePair<string, object>("service.instance.id", podName)]);
}
