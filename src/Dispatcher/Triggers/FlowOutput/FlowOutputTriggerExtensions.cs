using Arkonis.Hosting;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Triggers.Concurrency;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Catalog;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Arkonis.Dispatcher.Triggers.FlowOutput;

/// <summary>Wires the flow-output trigger as an observer of every flow completion.</summary>
public static class FlowOutputTriggerExtensions
{
    public static IServiceCollection AddFlowOutputTrigger(this IServiceCollection services)
    {
        services.AddValidatedOptions<FlowOutputOptions, FlowOutputOptionsValidator>(FlowOutputOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ArkEventCatalog>();
        services.TryAddSingleton<TriggerMetrics>();
        services.TryAddSingleton<IRunStatusSource, DaprWorkflowRunStatusSource>();
        services.TryAddSingleton<RunLedger>();
        services.TryAddSingleton<ConcurrencyGate>();
        services.TryAddSingleton<FlowOutputIndex>();
        services.TryAddSingleton<FlowOutputTrigger>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFlowCompletionObserver, FlowOutputTrigger>(sp => sp.GetRequiredService<FlowOutputTrigger>()));
        return services;
    }
}
