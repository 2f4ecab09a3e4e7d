using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Runs;
using Dapr.Client;
using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Arkonis.Dispatcher.Workflows;

public static class RunsServiceCollectionExtensions
{
    /// <summary>Runs on Dapr Workflow: the workflow and its activities, the launcher, and the default trigger activity.</summary>
    public static IServiceCollection AddDaprRuns(this IServiceCollection services)
    {
        services.AddOptions<RunOptions>().BindConfiguration(RunOptions.SectionName)
            .Validate(o => o.TargetTimeout > TimeSpan.Zero, "Runs:TargetTimeout must be positive.")
            .ValidateOnStart();
        services.AddDaprClient();
        // Dapr.Workflow's source generator registers every Workflow<,> and WorkflowActivity<,> of this assembly
        // (FireWorkflow, StartFlowActivity, RecordRunActivity); registering them again only logs warnings.
        services.AddDaprWorkflow(_ => { });
        services.AddSingleton<IRunLauncher, WorkflowRunLauncher>();
        services.TryAddSingleton<InMemoryTriggerActivity>();
        services.TryAddSingleton<ITriggerActivity>(sp => sp.GetRequiredService<InMemoryTriggerActivity>());
        return services;
    }

    /// <summary>Local flows: Dapr service invocation of the flow-runner app.</summary>
    public static IServiceCollection AddLocalFlowRunner(this IServiceCollection services)
    {
        services.AddOptions<FlowRunnerOptions>().BindConfiguration(FlowRunnerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHttpClient(ServiceInvocationFlowRunner.HttpClientName)
            .AddHttpMessageHandler(sp =>
            {
                // The handler adds DAPR_API_TOKEN (from the environment) itself.
                var configuration = sp.GetRequiredService<IConfiguration>();
                return new InvocationHandler { DaprEndpoint = ServiceInvocationFlowRunner.SidecarHttpEndpoint(configuration) };
            });
        services.TryAddSingleton<IFlowRunner, ServiceInvocationFlowRunner>();
        return services;
    }
}
