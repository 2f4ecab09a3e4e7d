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
                // The handler adds DAPR_API_TOKEN from the environment itself; configuration (which also sees the environment)
                // is where DaprClient and the workflow client read it, so the token is taken from there too.
                var configuration = sp.GetRequiredService<IConfiguration>();
                return new InvocationHandler { DaprEndpoint = ServiceInvocationFlowRunner.SidecarHttpEndpoint(configuration) };
            })
            .AddHttpMessageHandler(sp => new ApiTokenHandler(sp.GetRequiredService<IConfiguration>()["DAPR_API_TOKEN"]));
        services.AddSingleton<IFlowRunner, ServiceInvocationFlowRunner>();
        return services;
    }

    /// <summary>Adds <c>dapr-api-token</c> from configuration when the request does not carry it yet.</summary>
    private sealed class ApiTokenHandler(string? token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!string.IsNullOrEmpty(token) && !request.Headers.Contains("dapr-api-token"))
            {
                request.Headers.Add("dapr-api-token", token);
            }
            return base.SendAsync(request, cancellationToken);
        }
    }
}
