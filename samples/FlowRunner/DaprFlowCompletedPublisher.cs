using Dapr.Client;
using Microsoft.Extensions.Options;

namespace Arkonis.Samples.FlowRunner;

/// <summary>
/// Publishes completions through a Dapr sidecar, in the flow's trace: daprd gives the CloudEvent the context of the
/// publish call, which is whatever activity the call happens to run under (none, or an unsampled one where the caller's
/// instrumentation filters its gRPC calls, as the dispatcher's does in the embedded runtime), so the message names the
/// flow's context itself with daprd's envelope overrides <c>cloudevent.traceparent</c>/<c>cloudevent.tracestate</c>
/// (dapr/dapr <c>pkg/runtime/pubsub/cloudevents.go</c>). daprd then delivers it in that trace.
/// </summary>
public sealed class DaprFlowCompletedPublisher(DaprClient dapr, IOptions<FlowRunnerSampleOptions> options) : IFlowCompletedPublisher
{
    public Task PublishAsync(FlowCompletedMessage message, CancellationToken cancellationToken) =>
        dapr.PublishEventAsync(options.Value.PubSubName, options.Value.Topic, message, TraceOverrides(message), cancellationToken);

    private static Dictionary<string, string> TraceOverrides(FlowCompletedMessage message)
    {
        var metadata = new Dictionary<string, string>();
        if (!string.IsNullOrEmpty(message.TraceParent))
        {
            metadata["cloudevent.traceparent"] = message.TraceParent;
            if (!string.IsNullOrEmpty(message.TraceState))
            {
                metadata["cloudevent.tracestate"] = message.TraceState;
            }
        }
        return metadata;
    }
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
