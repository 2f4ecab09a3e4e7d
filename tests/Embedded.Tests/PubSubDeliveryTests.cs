using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Arkonis.Embedded.Hosting;
using Arkonis.Embedded.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Arkonis.Embedded.Tests;

/// <summary>
/// A RETRY answer under each pub/sub component the dispatcher meets (the dispatcher answers RETRY when it cannot route
/// a completion yet, src/Dispatcher/Flows/FlowCompletedSubscription.cs). Sources:
/// components-contrib pubsub/in-memory/in-memory.go (ten handler calls, 100 ms apart, then the message is dropped;
/// transactional event bus, internal/eventbus/event_bus.go), dapr pkg/runtime/subscription/subscription.go (the
/// component's inbound Resiliency policy around each delivery), components-contrib pubsub/redis and
/// common/component/redis/settings.go (pending until acknowledged, reclaimed after processingTimeout, checked every
/// redeliverInterval).
/// </summary>
public sealed class PubSubDeliveryTests
{
    /// <summary>An app subscribing to arkevent-pubsub/flow-completed that answers RETRY to the first <c>retries</c> deliveries of each message.</summary>
    private sealed class RetryingApp : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, int> _seen = new();

        private RetryingApp(WebApplication app, int port)
        {
            _app = app;
            Address = new Uri($"http://127.0.0.1:{port}");
        }

        public Uri Address { get; }

        public int Retries { get; set; }

        public int Status { get; set; } = 200;

        public ConcurrentQueue<(string Id, DateTimeOffset At)> Received { get; } = new();

        /// <summary>Each delivery's CloudEvent and its <c>traceparent</c>/<c>tracestate</c> headers.</summary>
        public ConcurrentQueue<(JsonNode CloudEvent, string? TraceParent, string? TraceState)> Envelopes { get; } = new();

        public static async Task<RetryingApp> StartAsync()
        {
            var port = FreePorts.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            var app = builder.Build();
            var retrying = new RetryingApp(app, port);
            app.MapGet("/dapr/subscribe", () => Results.Text(
                """[{"pubsubName":"arkevent-pubsub","topic":"flow-completed","route":"/flow-completed"}]""", "application/json"));
            app.MapPost("/flow-completed", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var cloudEvent = JsonNode.Parse(await reader.ReadToEndAsync())!;
                var id = (string)cloudEvent["id"]!;
                retrying.Received.Enqueue((id, DateTimeOffset.UtcNow));
                retrying.Envelopes.Enqueue((cloudEvent, context.Request.Headers.TraceParent.FirstOrDefault(), context.Request.Headers.TraceState.FirstOrDefault()));
                var seen = retrying._seen.AddOrUpdate(id, 1, (_, n) => n + 1);
                if (retrying.Status != 200)
                {
                    return Results.StatusCode(retrying.Status);
                }
                return Results.Json(new { status = seen <= retrying.Retries ? "RETRY" : "SUCCESS" });
            });
            await app.StartAsync();
            return retrying;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static async Task<(EmbeddedDaprRuntime Runtime, RetryingApp App)> StartAsync(PubSubDelivery delivery)
    {
        var app = await RetryingApp.StartAsync();
        var runtime = await EmbeddedDaprRuntime.StartAsync(new EmbeddedRuntimeOptions { PubSub = delivery });
        runtime.PubSub.AppBase = app.Address;
        return (runtime, app);
    }

    private static Task Publish(EmbeddedDaprRuntime runtime, string text = "{}") =>
        runtime.PubSub.PublishAsync("arkevent-pubsub", "flow-completed", Encoding.UTF8.GetBytes(text), "application/json");

    private static async Task Until(Func<bool> done, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (!done() && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task In_memory_without_resiliency_calls_the_handler_ten_times_100_ms_apart_then_drops_the_message()
    {
        var (runtime, app) = await StartAsync(PubSubDelivery.InMemoryOnly);
        await using var _ = runtime;
        await using var __ = app;
        app.Retries = int.MaxValue;

        await Publish(runtime);
        await Until(() => app.Received.Count >= 10, TimeSpan.FromSeconds(10));
        await Task.Delay(600);

        var received = app.Received.ToArray();
        Assert.Equal(10, received.Length);
        Assert.Single(received.Select(r => r.Id).Distinct());
        Assert.All(received.Zip(received.Skip(1)), pair => Assert.True(pair.Second.At - pair.First.At >= TimeSpan.FromMilliseconds(90)));
    }

    [Fact]
    public async Task In_memory_without_resiliency_delivers_a_message_answered_RETRY_a_few_times()
    {
        var (runtime, app) = await StartAsync(PubSubDelivery.InMemoryOnly);
        await using var _ = runtime;
        await using var __ = app;
        app.Retries = 3;

        await Publish(runtime);
        await Until(() => runtime.PubSub.Deliveries.Any(d => d.Reply == "SUCCESS"), TimeSpan.FromSeconds(10));
        await Task.Delay(300);

        Assert.Equal(["RETRY", "RETRY", "RETRY", "SUCCESS"], runtime.PubSub.Deliveries.Select(d => d.Reply));
    }

    [Fact]
    public async Task In_memory_with_a_resiliency_policy_retries_inside_each_of_its_ten_calls()
    {
        // components/resiliency.yaml's shape (constant), shortened: each of in-memory's ten calls is daprd's delivery
        // with its inbound retries, so a message that is never acknowledged is sent 10 x (1 + maxRetries) times.
        var (runtime, app) = await StartAsync(PubSubDelivery.InMemoryOnly with { InboundRetry = new ConstantRetry(TimeSpan.FromMilliseconds(20), 2) });
        await using var _ = runtime;
        await using var __ = app;
        app.Retries = int.MaxValue;

        await Publish(runtime);
        await Until(() => app.Received.Count >= 30, TimeSpan.FromSeconds(10));
        await Task.Delay(600);

        Assert.Equal(30, app.Received.Count);
    }

    [Fact]
    public void By_default_the_runtime_models_in_memory_with_the_resiliency_of_components()
    {
        // The default, as `dapr run -f .` with components/ gives: resiliency.yaml's 2 s x 30 retries in each call.
        Assert.Equal(PubSubDelivery.ComponentsResiliency, PubSubDelivery.LocalRun.InboundRetry);
        Assert.Equal(PubSubComponentType.InMemory, new EmbeddedRuntimeOptions().PubSub.Component);
        var resiliency = File.ReadAllText(Path.Combine(Repo.Root, "components", "resiliency.yaml"));
        Assert.Matches(@"policy: constant\s+duration: 2s\s+maxRetries: 30", resiliency);
        Assert.Matches(@"arkevent-pubsub:\s+inbound:\s+retry: completion-redelivery", resiliency);
    }

    [Fact]
    public async Task In_memory_delivers_one_message_at_a_time_and_a_publish_waits_for_the_message_before_it()
    {
        var (runtime, app) = await StartAsync(PubSubDelivery.InMemoryOnly with { InMemoryInterval = TimeSpan.FromMilliseconds(150) });
        await using var _ = runtime;
        await using var __ = app;
        app.Retries = 3;

        await Publish(runtime);
        var second = Stopwatch();
        await Publish(runtime);
        var waited = second.Elapsed;
        await Until(() => runtime.PubSub.Deliveries.Count(d => d.Reply == "SUCCESS") == 2, TimeSpan.FromSeconds(10));

        // The first message's three RETRYs (150 ms apart) hold the topic; the second is not sent before they are over.
        Assert.True(waited >= TimeSpan.FromMilliseconds(400), $"second publish returned after {waited}");
        var ids = runtime.PubSub.Deliveries.Select(d => d.Id).ToArray();
        Assert.Equal(8, ids.Length);
        Assert.Single(ids[..4].Distinct());
        Assert.Single(ids[4..].Distinct());
    }

    private static System.Diagnostics.Stopwatch Stopwatch() => System.Diagnostics.Stopwatch.StartNew();

    [Fact]
    public async Task Redis_redelivers_a_RETRY_after_the_processing_timeout_until_it_is_acknowledged()
    {
        var delivery = new PubSubDelivery
        {
            Component = PubSubComponentType.Redis,
            ProcessingTimeout = TimeSpan.FromMilliseconds(400),
            RedeliverInterval = TimeSpan.FromMilliseconds(100),
        };
        var (runtime, app) = await StartAsync(delivery);
        await using var _ = runtime;
        await using var __ = app;
        app.Retries = 2;

        var published = DateTimeOffset.UtcNow;
        await Publish(runtime);
        await Until(() => runtime.PubSub.Deliveries.Any(d => d.Reply == "SUCCESS"), TimeSpan.FromSeconds(10));
        await Task.Delay(700);

        // A message is pending from the moment it is read; it is reclaimed once idle for processingTimeout.
        var deliveries = runtime.PubSub.Deliveries.ToArray();
        Assert.Equal(["RETRY", "RETRY", "SUCCESS"], deliveries.Select(d => d.Reply));
        Assert.All(deliveries.Index(), d => Assert.True(d.Item.At - published >= d.Index * TimeSpan.FromMilliseconds(390), $"delivery {d.Index} at {d.Item.At - published}"));
        Assert.Empty(runtime.PubSub.Pending);
    }

    [Fact]
    public async Task Redis_never_drops_an_unacknowledged_message_and_handles_others_meanwhile()
    {
        var delivery = new PubSubDelivery
        {
            Component = PubSubComponentType.Redis,
            ProcessingTimeout = TimeSpan.FromMilliseconds(200),
            RedeliverInterval = TimeSpan.FromMilliseconds(50),
        };
        var (runtime, app) = await StartAsync(delivery);
        await using var _ = runtime;
        await using var __ = app;
        app.Retries = int.MaxValue;

        await Publish(runtime);
        await Until(() => app.Received.Count >= 12, TimeSpan.FromSeconds(10));

        Assert.True(app.Received.Count >= 12);
        Assert.Single(runtime.PubSub.Pending);
        app.Retries = 0;
        await Publish(runtime);
        await Until(() => runtime.PubSub.Pending.Count == 0, TimeSpan.FromSeconds(5));
        Assert.Empty(runtime.PubSub.Pending);
    }

    [Theory]
    [InlineData(PubSubComponentType.InMemory)]
    [InlineData(PubSubComponentType.Redis)]
    public async Task A_404_is_dropped_and_a_500_is_retried_under_each_component(PubSubComponentType component)
    {
        // Redis reclaims a message still unanswered after processingTimeout even while its first delivery is in flight
        // (components-contrib pubsub/redis reclaimPendingMessages): the timeout is kept well above a loaded machine's
        // delivery time, so only an answer that was not an acknowledgement can bring the message back.
        var delivery = new PubSubDelivery
        {
            Component = component,
            ProcessingTimeout = TimeSpan.FromMilliseconds(500),
            RedeliverInterval = TimeSpan.FromMilliseconds(50),
        };
        var (runtime, app) = await StartAsync(delivery);
        await using var _ = runtime;
        await using var __ = app;

        app.Status = 404;
        await Publish(runtime);
        await Task.Delay(1_500); // three processing timeouts: a message not dropped would have come back by now
        Assert.Single(app.Received);

        app.Status = 500;
        await Publish(runtime);
        await Until(() => app.Received.Count >= 4, TimeSpan.FromSeconds(15));
        Assert.True(app.Received.Count >= 4);
    }
    /// <summary>
    /// A publisher's <c>traceparent</c> over the gRPC publish API comes back as daprd's: the CloudEvent carries the context
    /// of daprd's API span (<c>traceid</c> and <c>traceparent</c> alike, components-contrib <c>pubsub/envelope.go</c>),
    /// a child of the publisher's (dapr/dapr <c>pkg/diagnostics/grpc_tracing.go</c>, <c>pkg/api/grpc</c> PublishEvent), and
    /// the delivery's <c>traceparent</c> header is daprd's callback span, a child of the CloudEvent's
    /// (<c>pkg/runtime/subscription/postman/http/http.go</c> Deliver, <c>pkg/channel/http/http_channel.go</c>). The same
    /// trace and sampled flag all along; daprd's gRPC API drops the publisher's <c>tracestate</c> (grpc_tracing.go).
    /// </summary>
    [Fact]
    public async Task A_publish_with_a_traceparent_delivers_a_CloudEvent_and_a_traceparent_header_of_the_same_trace()
    {
        var (runtime, app) = await StartAsync(PubSubDelivery.InMemoryOnly);
        await using var _ = runtime;
        await using var __ = app;
        var traceId = ActivityTraceId.CreateRandom();
        var publisherSpan = ActivitySpanId.CreateRandom();

        await PublishOverGrpc(runtime, new Metadata { { "traceparent", $"00-{traceId}-{publisherSpan}-01" }, { "tracestate", "vendor=1" } });
        await Until(() => !app.Envelopes.IsEmpty, TimeSpan.FromSeconds(10));

        var (cloudEvent, header, headerState) = Assert.Single(app.Envelopes);
        var traceParent = (string?)cloudEvent["traceparent"];
        Assert.Equal(traceParent, (string?)cloudEvent["traceid"]);
        Assert.Equal("", (string?)cloudEvent["tracestate"]);
        Assert.True(ActivityContext.TryParse(traceParent, null, out var message));
        Assert.Equal(traceId, message.TraceId);
        Assert.NotEqual(publisherSpan, message.SpanId);
        Assert.Equal(ActivityTraceFlags.Recorded, message.TraceFlags);
        Assert.True(ActivityContext.TryParse(header, null, out var delivery));
        Assert.Equal(traceId, delivery.TraceId);
        Assert.NotEqual(message.SpanId, delivery.SpanId);
        Assert.Equal(ActivityTraceFlags.Recorded, delivery.TraceFlags);
        Assert.Null(headerState);
    }

    /// <summary>
    /// Without a <c>traceparent</c>, daprd's API span starts a trace of its own, unsampled at the default rate of a
    /// Configuration without a tracing section (dapr/dapr <c>pkg/diagnostics/utils/trace_utils.go</c>, TraceSampler,
    /// defaultSamplingRate 1e-4), and the delivery continues it.
    /// </summary>
    [Fact]
    public async Task A_publish_without_a_traceparent_gets_daprds_own_unsampled_trace()
    {
        var (runtime, app) = await StartAsync(PubSubDelivery.InMemoryOnly);
        await using var _ = runtime;
        await using var __ = app;

        await PublishOverGrpc(runtime, []);
        await Until(() => !app.Envelopes.IsEmpty, TimeSpan.FromSeconds(10));

        var (cloudEvent, header, _) = Assert.Single(app.Envelopes);
        Assert.True(ActivityContext.TryParse((string?)cloudEvent["traceparent"], null, out var message));
        Assert.Equal(ActivityTraceFlags.None, message.TraceFlags);
        Assert.True(ActivityContext.TryParse(header, null, out var delivery));
        Assert.Equal(message.TraceId, delivery.TraceId);
        Assert.Equal(ActivityTraceFlags.None, delivery.TraceFlags);
    }

    /// <summary>
    /// The request's <c>cloudevent.traceparent</c>/<c>cloudevent.tracestate</c> metadata replace the call's context in the
    /// envelope (dapr/dapr <c>pkg/runtime/pubsub/cloudevents.go</c> NewCloudEvent): how the sample flow runner publishes
    /// in the flow's trace.
    /// </summary>
    [Fact]
    public async Task Cloudevent_trace_overrides_in_the_publish_metadata_replace_the_calls_context()
    {
        var (runtime, app) = await StartAsync(PubSubDelivery.InMemoryOnly);
        await using var _ = runtime;
        await using var __ = app;
        var flow = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01";

        await PublishOverGrpc(runtime, [], new Dictionary<string, string> { ["cloudevent.traceparent"] = flow, ["cloudevent.tracestate"] = "vendor=1" });
        await Until(() => !app.Envelopes.IsEmpty, TimeSpan.FromSeconds(10));

        var (cloudEvent, header, headerState) = Assert.Single(app.Envelopes);
        Assert.Equal(flow, (string?)cloudEvent["traceparent"]);
        Assert.Equal(flow, (string?)cloudEvent["traceid"]);
        Assert.Equal("vendor=1", (string?)cloudEvent["tracestate"]);
        Assert.True(ActivityContext.TryParse(header, null, out var delivery));
        Assert.Equal(flow[3..35], delivery.TraceId.ToHexString());
        Assert.Equal("vendor=1", headerState);
    }

    /// <summary>Publishes through the runtime's gRPC API with exactly these headers (no ambient activity added).</summary>
    private static async Task PublishOverGrpc(EmbeddedDaprRuntime runtime, Metadata headers, Dictionary<string, string>? metadata = null)
    {
        using var channel = GrpcChannel.ForAddress(runtime.GrpcEndpoint, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { ActivityHeadersPropagator = null },
        });
        var client = new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel);
        await client.PublishEventAsync(new PublishEventRequest
        {
            PubsubName = "arkevent-pubsub",
            Topic = "flow-completed",
            Data = ByteString.CopyFromUtf8("{}"),
            DataContentType = "application/json",
            Metadata = { metadata ?? [] },
        }, headers);
    }
}
