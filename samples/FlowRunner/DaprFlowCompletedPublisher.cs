using Dapr.Client;
using Microsoft.Extensions.Options;

namespace Arkonis.Samples.FlowRunner;

/// <summary>Publishes completions through a Dapr sidecar.</summary>
public sealed class DaprFlowCompletedPublisher(DaprClient dapr, IOptions<FlowRunnerSampleOptions> options) : IFlowCompletedPublisher
{
    public Task PublishAsync(FlowCompletedMessage message, CancellationToken cancellationToken) =>
        dapr.PublishEventAsync(options.Value.PubSubName, options.Value.Topic, message, cancellationToken);
}

public static class DaprFlowCompletedPublishing
{
    /// <summary>
    /// The DaprClient the completions go out through. <c>FlowRunner:PublishGrpcEndpoint</c>, when set, names the sidecar
    /// to publish through instead of this app's own: <c>pubsub.in-memory</c> lives inside one daprd process, so in a
    /// local <c>dapr run -f .</c> a message reaches the dispatcher only when it is published through the dispatcher's
    /// sidecar. With a real broker (Redis in a cluster) leave it empty.
    /// </summary>
    public static IServiceCollection AddDaprCompletionPublisher(this IServiceCollection services, IConfiguration configuration)
    {
        var endpoint = configuration.GetSection(FlowRunnerSampleOptions.SectionName).Get<FlowRunnerSampleOptions>()?.PublishGrpcEndpoint;
        services.AddDaprClient(client =>
        {
            if (!string.IsNullOrEmpty(endpoint))
            {
                client.UseGrpcEndpoint(endpoint);
            }
        });
        return services.AddFlowRuns<DaprFlowCompletedPublisher>();
    }
}
