using Arkonis.Hosting;
using Arkonis.Dispatcher.Hosting;
using Dapr.Client;

namespace Arkonis.Dispatcher.Flows;

public static class LocalFlowRunnerExtensions
{
    /// <summary>Local flows: Dapr service invocation of the flow-runner app.</summary>
    public static IServiceCollection AddLocalFlowRunner(this IServiceCollection services)
    {
        services.AddValidatedOptions<FlowRunnerOptions, FlowRunnerOptionsValidator>(FlowRunnerOptions.SectionName);
        services.AddHttpClient(ServiceInvocationFlowRunner.HttpClientName)
            .AddHttpMessageHandler(sp =>
            {
                // The handler adds DAPR_API_TOKEN (from the environment) itself.
                var configuration = sp.GetRequiredService<IConfiguration>();
                return new InvocationHandler { DaprEndpoint = ServiceInvocationFlowRunner.SidecarHttpEndpoint(configuration) };
            });
        services.AddSingleton<IFlowRunner, ServiceInvocationFlowRunner>();
        return services;
    }
}
