using Arkonis.Hosting;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Runs;
using Dapr.Workflow;

namespace Arkonis.Dispatcher.Workflows;

public static class RunsServiceCollectionExtensions
{
    /// <summary>Runs on Dapr Workflow: the workflow and its activities, and the launcher every trigger uses.</summary>
    public static IServiceCollection AddDaprRuns(this IServiceCollection services)
    {
        services.AddValidatedOptions<RunOptions, RunOptionsValidator>(RunOptions.SectionName);
        services.AddDaprClient();
        // Dapr.Workflow's source generator registers every Workflow<,> and WorkflowActivity<,> of this assembly
        // (FireWorkflow, StartFlowActivity, RecordRunActivity); registering them again only logs warnings.
        services.AddDaprWorkflow(_ => { });
        services.AddSingleton<IRunLauncher, WorkflowRunLauncher>();
        services.AddSingleton<IRunPayloads, DaprRunPayloadStore>();
        services.AddSingleton<DaprRunClaims>();
        return services;
    }
}
