using System.Diagnostics;

namespace Arkonis.Embedded.Runtime;

/// <summary>
/// The W3C trace context daprd gives a published message (the CloudEvent's <c>traceid</c>, <c>traceparent</c> and
/// <c>tracestate</c>, components-contrib <c>pubsub/envelope.go</c> NewCloudEventsEnvelope) and then its delivery. daprd
/// makes a span of its own at each hop and exports it if its tracing says so; this runtime exports nothing, so it only
/// makes the span ids, as daprd would with this repository's <c>components/configuration.yaml</c> (no tracing section:
/// the default sampling rate, parent-based):
/// <list type="bullet">
/// <item>Publish (dapr/dapr <c>pkg/api/grpc</c> PublishEvent, <c>pkg/api/http</c> onPublish: TraceIDAndStateFromSpan of
/// the API call's span): the API span is a child of the publisher's <c>traceparent</c> (gRPC metadata,
/// <c>pkg/diagnostics/grpc_tracing.go</c> SpanContextFromIncomingGRPCMetadata; or HTTP header), same trace and sampled
/// flag. Without one it starts a trace of its own, which the default rate (1e-4) leaves unsampled.</item>
/// <item>Delivery (<c>pkg/runtime/subscription/postman/http/http.go</c> Deliver, StartInternalCallbackSpan; then
/// <c>pkg/channel/http/http_channel.go</c> constructRequest): a <c>pubsub/{topic}</c> span, child of the CloudEvent's
/// <c>traceparent</c>, sent to the app as the <c>traceparent</c> (and <c>tracestate</c>) headers.</item>
/// </list>
/// </summary>
public sealed record PubSubTrace(string TraceParent, string? TraceState)
{
    /// <summary>
    /// The context daprd's publish API writes into the CloudEvent for a publisher's <c>traceparent</c> and
    /// <c>tracestate</c> (nulls when the call had none).
    /// </summary>
    public static PubSubTrace OfPublish(string? traceParent, string? traceState) =>
        ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var publisher)
            ? ChildOf(publisher)
            : From(new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None));

    /// <summary>
    /// The publish request's overrides of the envelope (dapr/dapr <c>pkg/runtime/pubsub/cloudevents.go</c> NewCloudEvent,
    /// metadata keys matched without case): <c>cloudevent.traceparent</c>, else <c>cloudevent.traceid</c>, replaces the
    /// span's context; <c>cloudevent.tracestate</c> replaces its state.
    /// </summary>
    public PubSubTrace WithOverrides(IDictionary<string, string> metadata)
    {
        string? Override(string key) =>
            metadata.Where(m => string.Equals(m.Key, key, StringComparison.OrdinalIgnoreCase)).Select(m => m.Value).FirstOrDefault();
        var parent = Override("cloudevent.traceparent") is { Length: > 0 } traceParent ? traceParent : Override("cloudevent.traceid");
        var state = Override("cloudevent.tracestate");
        return this with
        {
            TraceParent = string.IsNullOrEmpty(parent) ? TraceParent : parent,
            TraceState = state is null ? TraceState : state.Length == 0 ? null : state,
        };
    }

    /// <summary>The <c>traceparent</c>/<c>tracestate</c> headers of a delivery: daprd's callback span, a child of this context.</summary>
    public PubSubTrace Delivery() =>
        ActivityContext.TryParse(TraceParent, TraceState, isRemote: true, out var message) ? ChildOf(message) : this;

    private static PubSubTrace ChildOf(ActivityContext parent) =>
        From(new ActivityContext(parent.TraceId, ActivitySpanId.CreateRandom(), parent.TraceFlags, parent.TraceState));

    private static PubSubTrace From(ActivityContext context) => new(
        $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{((context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00")}",
        string.IsNullOrEmpty(context.TraceState) ? null : context.TraceState);
}
