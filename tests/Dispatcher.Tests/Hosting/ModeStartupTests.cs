using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Kubernetes.Catalog;
using Arkonis.Dispatcher.Kubernetes.Flows;
using Arkonis.Dispatcher.Kubernetes.Status;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Arkonis.Dispatcher.Triggers.Concurrency;
using Arkonis.Dispatcher.Triggers.Cron;
using Arkonis.Dispatcher.Workflows;
using Dapr.Client;
using Dapr.Workflow;
using k8s;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Tests.Hosting;

/// <summary>
/// The real Program in each mode: which adapter answers each port, and that no service is registered twice (where the
/// last registration would silently win). Nothing answers on the sidecar or API server addresses: the host only has to
/// compose and start (in Kubernetes mode the stand-in API server answers).
/// </summary>
public sealed class ModeStartupTests
{
    /// <summary>Port interfaces and shared services that must have exactly one registration in every mode.</summary>
    private static readonly Type[] Singles =
    [
        typeof(ArkEventCatalog), typeof(IFlowRunner), typeof(ITriggerActivity), typeof(IRunLauncher), typeof(IRunStatusSource),
        typeof(ICronCheckpointStore), typeof(RunLedger), typeof(ConcurrencyGate), typeof(CronEvaluator), typeof(CronTicker),
        typeof(TimeProvider), typeof(DaprClient), typeof(DaprWorkflowClient), typeof(RunReader),
    ];

    [Fact]
    public async Task Local_mode_reads_YAML_files_invokes_the_flow_runner_app_and_reports_in_memory()
    {
        await using var host = new ModeHost(new() { ["Dispatcher:Mode"] = "Local" });
        var services = host.Services;

        Assert.IsType<ServiceInvocationFlowRunner>(services.GetRequiredService<IFlowRunner>());
        Assert.Same(services.GetRequiredService<InMemoryTriggerActivity>(), services.GetRequiredService<ITriggerActivity>());
        Assert.IsType<WorkflowRunLauncher>(services.GetRequiredService<IRunLauncher>());
        Assert.IsType<DaprCronCheckpointStore>(services.GetRequiredService<ICronCheckpointStore>());
        Assert.IsType<DaprWorkflowRunStatusSource>(services.GetRequiredService<IRunStatusSource>());
        var hosted = services.GetServices<IHostedService>().Select(s => s.GetType()).ToList();
        Assert.Contains(typeof(YamlDirectoryCatalogSource), hosted);
        Assert.DoesNotContain(typeof(KubernetesCatalogSource), hosted);
        Assert.Equal(["dapr-sidecar", "yaml-catalog"], ReadinessChecks(services));
        Assert.Null(services.GetService<IKubernetes>());
        AssertNoServiceRegisteredTwice(host.Registrations);
    }

    [Fact]
    public async Task Without_a_mode_the_dispatcher_runs_local()
    {
        await using var host = new ModeHost([]);

        Assert.IsType<ServiceInvocationFlowRunner>(host.Services.GetRequiredService<IFlowRunner>());
        Assert.Equal(["dapr-sidecar", "yaml-catalog"], ReadinessChecks(host.Services));
    }

    [Fact]
    public async Task Kubernetes_mode_watches_the_cluster_starts_ArkFlows_and_reports_as_status()
    {
        // A real API server (the stand-in): the leader election stops the host when none answers.
        await using var api = await KubeApiStandIn.StartAsync();
        await using var host = new ModeHost(ModeHost.Kubernetes(api));
        var services = host.Services;

        Assert.IsType<KubernetesFlowRunner>(services.GetRequiredService<IFlowRunner>());
        Assert.IsType<KubernetesTriggerActivity>(services.GetRequiredService<ITriggerActivity>());
        Assert.IsType<WorkflowRunLauncher>(services.GetRequiredService<IRunLauncher>());
        Assert.IsType<DaprCronCheckpointStore>(services.GetRequiredService<ICronCheckpointStore>());
        Assert.IsType<DaprWorkflowRunStatusSource>(services.GetRequiredService<IRunStatusSource>());
        var hosted = services.GetServices<IHostedService>().Select(s => s.GetType()).ToList();
        Assert.Contains(typeof(KubernetesCatalogSource), hosted);
        Assert.DoesNotContain(typeof(YamlDirectoryCatalogSource), hosted);
        Assert.Equal(["dapr-sidecar", "kubernetes-catalog"], ReadinessChecks(services));
        Assert.Null(services.GetService<InMemoryTriggerActivity>());
        Assert.Null(services.GetService<YamlDirectoryCatalogSource>());
        AssertNoServiceRegisteredTwice(host.Registrations);
    }

    [Fact]
    public async Task An_unknown_mode_stops_the_start_and_names_the_key()
    {
        await using var host = new ModeHost(new() { ["Dispatcher:Mode"] = "Kubernates" });

        var error = Assert.Throws<InvalidOperationException>(() => host.Services);

        Assert.Contains("Dispatcher:Mode", error.Message, StringComparison.Ordinal);
        Assert.Contains("Kubernates", error.Message, StringComparison.Ordinal);
    }

    private static List<string> ReadinessChecks(IServiceProvider services) =>
        [.. services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations
            .Where(r => r.Tags.Contains(DispatcherPipeline.ReadyTag)).Select(r => r.Name)];

    private static void AssertNoServiceRegisteredTwice(IReadOnlyList<ServiceDescriptor> registrations)
    {
        // Our own services are resolved one at a time, except the completion observers, which are a list by design.
        var twice = registrations
            .Where(d => Singles.Contains(d.ServiceType) ||
                (d.ServiceType.Namespace?.StartsWith("Arkonis.", StringComparison.Ordinal) == true && d.ServiceType != typeof(IFlowCompletionObserver)))
            .GroupBy(d => d.ServiceType)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key.FullName} x{g.Count()}")
            .ToList();
        Assert.Empty(twice);
        foreach (var single in Singles)
        {
            Assert.Single(registrations, d => d.ServiceType == single);
        }
    }
}
