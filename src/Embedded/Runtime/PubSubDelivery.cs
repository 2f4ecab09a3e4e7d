namespace Arkonis.Embedded.Runtime;

/// <summary>The pub/sub component whose delivery <see cref="InMemoryPubSub"/> models.</summary>
public enum PubSubComponentType
{
    /// <summary><c>pubsub.in-memory</c> (<c>components/pubsub.yaml</c>, what <c>dapr run -f .</c> loads).</summary>
    InMemory,

    /// <summary><c>pubsub.redis</c> (Redis Streams; <c>deploy/dapr/pubsub.yaml</c>, what the cluster uses).</summary>
    Redis,
}

/// <summary>A daprd Resiliency retry policy of the <c>constant</c> kind: <c>duration</c> apart, <c>maxRetries</c> times.</summary>
public sealed record ConstantRetry(TimeSpan Duration, int MaxRetries);

/// <summary>
/// How a published message reaches the app, and what happens when the app does not acknowledge it (answers RETRY, a
/// non-2xx status other than 404, or cannot be reached). One delivery attempt is daprd's postman call
/// (dapr <c>pkg/runtime/subscription/postman/http/http.go</c>: SUCCESS/DROP or an empty 2xx acknowledge, 404 drops,
/// anything else is a retriable error); around it:
/// <list type="bullet">
/// <item><see cref="InboundRetry"/>: daprd's inbound policy for the component, when a Resiliency targets it
/// (dapr <c>pkg/runtime/subscription/subscription.go</c> runs the delivery inside
/// <c>ComponentInboundPolicy(pubsubName, Pubsub)</c>); <c>null</c> when none does.</item>
/// <item><see cref="PubSubComponentType.InMemory"/>: components-contrib <c>pubsub/in-memory/in-memory.go</c> calls the
/// handler (daprd's delivery, with its retries) at most <see cref="InMemoryAttempts"/> times,
/// <see cref="InMemoryInterval"/> apart, then only logs: the message is gone. Its event bus subscribes
/// <c>transactional</c> (<c>internal/eventbus/event_bus.go</c>): one message at a time per subscription, and a publish
/// waits until the previous message's handling (retries included) is over.</item>
/// <item><see cref="PubSubComponentType.Redis"/>: a message read by the consumer group stays pending until
/// acknowledged; every <see cref="RedeliverInterval"/> the component reclaims the messages pending longer than
/// <see cref="ProcessingTimeout"/> and delivers them again, without limit (components-contrib <c>pubsub/redis</c>,
/// <c>common/component/redis/settings.go</c>: <c>processingTimeout</c>, <c>redeliverInterval</c>; defaults 60 s and
/// 15 s). A message still being handled after <see cref="ProcessingTimeout"/> is reclaimed too.</item>
/// </list>
/// </summary>
public sealed record PubSubDelivery
{
    public PubSubComponentType Component { get; init; } = PubSubComponentType.InMemory;

    /// <summary>daprd's inbound retry policy around each delivery (a Resiliency targeting the component), or none.</summary>
    public ConstantRetry? InboundRetry { get; init; }

    /// <summary><c>pubsub.in-memory</c>: how many times it calls the handler (10 in <c>in-memory.go</c>).</summary>
    public int InMemoryAttempts { get; init; } = 10;

    /// <summary><c>pubsub.in-memory</c>: the sleep between two handler calls (100 ms in <c>in-memory.go</c>).</summary>
    public TimeSpan InMemoryInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>pubsub.redis</c>: how long a message stays pending before it is reclaimed and redelivered.</summary>
    public TimeSpan ProcessingTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>pubsub.redis</c>: how often pending messages are checked.</summary>
    public TimeSpan RedeliverInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary><c>components/resiliency.yaml</c>'s <c>completion-redelivery</c>: constant, 2 s, 30 retries.</summary>
    public static ConstantRetry ComponentsResiliency { get; } = new(TimeSpan.FromSeconds(2), 30);

    /// <summary>What <c>dapr run -f .</c> with <c>components/</c> gives: <c>pubsub.in-memory</c> with the Resiliency.</summary>
    public static PubSubDelivery LocalRun { get; } = new() { InboundRetry = ComponentsResiliency };

    /// <summary><c>pubsub.in-memory</c> with no Resiliency: ten quick calls, then the message is dropped.</summary>
    public static PubSubDelivery InMemoryOnly { get; } = new();

    /// <summary><c>deploy/dapr/pubsub.yaml</c>: <c>pubsub.redis</c>, <c>processingTimeout</c> 60 s, <c>redeliverInterval</c> 30 s, no Resiliency.</summary>
    public static PubSubDelivery Cluster { get; } = new()
    {
        Component = PubSubComponentType.Redis,
        ProcessingTimeout = TimeSpan.FromSeconds(60),
        RedeliverInterval = TimeSpan.FromSeconds(30),
    };
}
