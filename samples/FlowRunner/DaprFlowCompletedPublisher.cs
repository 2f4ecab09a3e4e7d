using Dapr.Client;
using Microsoft.Extensions.Options;

namespace Arkonis.Samples.FlowRunner;

/// <summary>Publishes completions through the Dapr sidecar.</summary>
public sealed class DaprFlowCompletedPublisher(DaprClient dapr, IOptions<FlowRunnerSampleOptions> options) : IFlowCompletedPublisher
{
    public Task PublishAsync(FlowCompletedMessage message, CancellationToken cancellationToken) =>
        dapr.PublishEventAsync(options.Value.PubSubName, options.Value.Topic, message, cancellationToken);
}
