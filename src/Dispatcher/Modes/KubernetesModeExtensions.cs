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
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Resources;

namespace Arkonis.Dispatcher.Modes;

public static class KubernetesModeExtensions
{
    /// <summary>
    /// Cluster mode: ArkEvents come from a Kubernetes watch; flows start as ArkFlows; trigger reports become status and
    /// Events; the leader reconciles token Secrets and status, publishes flow completions and prunes run history.
    /// </summary>
    public static IHostApplicationBuilder AddKubernetesMode(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ArkEventCatalog>();
        services.AddDaprClient();
        services.AddKubernetesClient();

        services.AddSingleton(sp =>
        {
            var metrics = new KubernetesModeMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
            var leadership = sp.GetRequiredService<LeaderElection>();
            var sync = sp.GetRequiredService<CatalogSyncState>();
            metrics.Observe(() => leadership.IsLeader, () => sync.IsSynced);
            return metrics;
        });
        services.AddSingleton<ListWatchLoop>();
        services.AddSingleton<CatalogSyncState>();
        services.AddSingleton<LeaderElection>();
        services.AddSingleton<KubernetesEventRecorder>();
        services.AddSingleton<WebhookTokenSecrets>();
        services.AddSingleton<ArkEventStatusWriter>();
        services.AddSingleton<CompletionBridge>();
        services.AddSingleton<IFlowRunner, KubernetesFlowRunner>();
        services.AddSingleton<ITriggerActivity, KubernetesTriggerActivity>();

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
