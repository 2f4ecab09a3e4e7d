using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Arkonis.Embedded.Runtime;

/// <summary>What the app answered to one delivery, and when it was sent.</summary>
public sealed record Delivery(string Id, string Topic, int HttpStatus, string? Reply, DateTimeOffset At = default)
{
    /// <summary>Acknowledged as daprd reads an answer: a 2xx with no status, SUCCESS or DROP; a 404 is dropped too.</summary>
    public bool Settled => HttpStatus is >= 200 and < 300 && Reply is null or "SUCCESS" or "DROP" || HttpStatus == 404;
}

/// <summary>
/// Delivers published messages to the app like daprd: discovers the route with <c>GET /dapr/subscribe</c> on the app
/// port, then <c>POST</c>s a CloudEvent 1.0 (<c>application/cloudevents+json</c>). What follows an answer that is not
/// an acknowledgement (RETRY, a non-2xx other than 404, no answer) is the component's and daprd's:
/// <see cref="PubSubDelivery"/> says which component is modelled and with which settings.
/// </summary>
public sealed class InMemoryPubSub : IDisposable
{
    private readonly AppChannel app;
    // The trace headers of a delivery are daprd's (PubSubTrace), never the ambient activity of this process.
    private readonly HttpClient _http = new(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly ConcurrentDictionary<(string PubSub, string Topic), string> _routes = new();
    private readonly ConcurrentDictionary<(string PubSub, string Topic), SemaphoreSlim> _serial = new();
    private readonly ConcurrentDictionary<string, PendingMessage> _pending = new();
    private readonly CancellationTokenSource _stopping = new();

    private readonly TimeProvider time;

    public InMemoryPubSub(AppChannel app, PubSubDelivery delivery, TimeProvider time)
    {
        this.app = app;
        this.time = time;
        Delivery = delivery;
        if (delivery.Component == PubSubComponentType.Redis)
        {
            _ = ReclaimPendingAsync(_stopping.Token);
        }
    }

    /// <summary>The component and settings whose delivery this models.</summary>
    public PubSubDelivery Delivery { get; }

    /// <summary>The app's callback base address (<see cref="AppChannel.Address"/>), set once the app listens.</summary>
    public Uri? AppBase
    {
        get => app.Address;
        set => app.Address = value;
    }

    /// <summary>Sent as <c>dapr-api-token</c> on every delivery, as daprd does when the app has an APP_API_TOKEN.</summary>
    public string? AppApiToken
    {
        get => app.ApiToken;
        set => app.ApiToken = value;
    }

    /// <summary>The delivery attempts, in order (the latest <see cref="RecentQueue.DefaultCapacity"/>).</summary>
    public RecentQueue<Delivery> Deliveries { get; } = new();

    /// <summary><c>pubsub.redis</c>: the ids of messages read but not acknowledged (the consumer group's pending list).</summary>
    public IReadOnlyCollection<string> Pending => [.. _pending.Keys];

    public void Dispose()
    {
        _stopping.Cancel();
        _http.Dispose();
    }

    /// <summary>
    /// Publishes one message. Under <c>pubsub.in-memory</c> this returns once the subscription has taken the message,
    /// which waits for the previous message's handling (its retries included) to be over, as the event bus does.
    /// <paramref name="trace"/> is the context daprd's publish API gave the message (<see cref="PubSubTrace.OfPublish"/>);
    /// a message handed straight to the component has none.
    /// </summary>
    public async Task PublishAsync(string pubSub, string topic, byte[] data, string contentType, PubSubTrace? trace = null)
    {
        var message = new PendingMessage(pubSub, topic, Guid.NewGuid().ToString(), JsonNode.Parse(data),
            string.IsNullOrEmpty(contentType) ? "application/json" : contentType, trace);
        var token = _stopping.Token;
        if (Delivery.Component == PubSubComponentType.InMemory)
        {
            var serial = _serial.GetOrAdd((pubSub, topic), _ => new SemaphoreSlim(1, 1));
            await serial.WaitAsync(token);
            _ = Task.Run(async () =>
            {
                try
                {
                    await InMemoryHandlerAsync(message, token);
                }
                finally
                {
                    serial.Release();
                }
            }, CancellationToken.None);
            return;
        }
        message.ReadAt = time.GetUtcNow();
        _pending[message.Id] = message;
        _ = Task.Run(() => RedisHandlerAsync(message, token), CancellationToken.None);
    }

    /// <summary><c>in-memory.go</c>'s retryHandler: up to ten calls of daprd's handler, 100 ms apart, then give up.</summary>
    private async Task InMemoryHandlerAsync(PendingMessage message, CancellationToken token)
    {
        for (var call = 0; call < Delivery.InMemoryAttempts && !token.IsCancellationRequested; call++)
        {
            if (await DaprHandlerAsync(message, token))
            {
                return;
            }
            await Delay(Delivery.InMemoryInterval, token);
        }
    }

    /// <summary><c>pubsub.redis</c>: acknowledge on success; otherwise the message stays pending for the reclaim loop.</summary>
    private async Task RedisHandlerAsync(PendingMessage message, CancellationToken token)
    {
        if (await DaprHandlerAsync(message, token))
        {
            _pending.TryRemove(message.Id, out _);
        }
    }

    private async Task ReclaimPendingAsync(CancellationToken token)
    {
        using var timer = new PeriodicTimer(Delivery.RedeliverInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(token))
            {
                var now = time.GetUtcNow();
                foreach (var message in _pending.Values)
                {
                    if (now - message.ReadAt >= Delivery.ProcessingTimeout)
                    {
                        message.ReadAt = now;
                        _ = Task.Run(() => RedisHandlerAsync(message, token), CancellationToken.None);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    /// <summary>daprd's handler for one message: one delivery, inside the component's inbound retry policy if any.</summary>
    private async Task<bool> DaprHandlerAsync(PendingMessage message, CancellationToken token)
    {
        var retries = Delivery.InboundRetry;
        for (var attempt = 0; !token.IsCancellationRequested; attempt++)
        {
            try
            {
                var delivery = await DeliverOnceAsync(message.PubSub, message.Topic, message.Data?.DeepClone(), message.Id, message.ContentType, message.Trace);
                if (delivery.Settled)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // The app is not up yet, or went away: a retriable error to daprd.
            }
            catch (TaskCanceledException) when (!token.IsCancellationRequested)
            {
                // The app did not answer in time: retriable as well.
            }
            if (retries is null || attempt >= retries.MaxRetries)
            {
                return false;
            }
            await Delay(retries.Duration, token);
        }
        return false;
    }

    private async Task Delay(TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, time, token);
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private sealed class PendingMessage(string pubSub, string topic, string id, JsonNode? data, string contentType, PubSubTrace? trace)
    {
        public string PubSub { get; } = pubSub;
        public string Topic { get; } = topic;
        public string Id { get; } = id;
        public JsonNode? Data { get; } = data;
        public string ContentType { get; } = contentType;
        public PubSubTrace? Trace { get; } = trace;
        public DateTimeOffset ReadAt { get; set; }
    }

    /// <summary>
    /// Sends one CloudEvent (any data) to the topic's route once and returns what the app answered. With a
    /// <paramref name="trace"/>, the CloudEvent carries it as daprd's envelope does (<c>traceid</c> and <c>traceparent</c>
    /// alike, <c>tracestate</c>) and the request has daprd's delivery headers (<see cref="PubSubTrace.Delivery"/>);
    /// without one the fields are empty and there are no trace headers.
    /// </summary>
    public async Task<Delivery> DeliverOnceAsync(
        string pubSub, string topic, JsonNode? data, string? id = null, string dataContentType = "application/json", PubSubTrace? trace = null)
    {
        var route = await RouteAsync(pubSub, topic);
        var cloudEvent = new JsonObject
        {
            ["id"] = id ?? Guid.NewGuid().ToString(),
            ["specversion"] = "1.0",
            ["source"] = "flow-runner",
            ["type"] = "com.dapr.event.sent",
            ["datacontenttype"] = dataContentType,
            ["data"] = data,
            ["topic"] = topic,
            ["pubsubname"] = pubSub,
            ["traceid"] = trace?.TraceParent ?? "",
            ["traceparent"] = trace?.TraceParent ?? "",
            ["tracestate"] = trace?.TraceState ?? "",
            ["time"] = time.GetUtcNow().ToString("O"),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(AppBase!, route))
        {
            Content = new StringContent(cloudEvent.ToJsonString(), Encoding.UTF8, "application/cloudevents+json"),
        };
        if (AppApiToken is not null)
        {
            request.Headers.Add("dapr-api-token", AppApiToken);
        }
        if (trace?.Delivery() is { } callback)
        {
            request.Headers.Add("traceparent", callback.TraceParent);
            if (callback.TraceState is not null)
            {
                request.Headers.Add("tracestate", callback.TraceState);
            }
        }
        var sentAt = time.GetUtcNow();
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        string? reply = null;
        if (body.Length > 0)
        {
            try
            {
                reply = JsonNode.Parse(body)?["status"]?.GetValue<string>();
            }
            catch (JsonException)
            {
                reply = null;
            }
        }
        var delivery = new Delivery((string)cloudEvent["id"]!, topic, (int)response.StatusCode, reply, sentAt);
        Deliveries.Add(delivery);
        return delivery;
    }

    private async Task<string> RouteAsync(string pubSub, string topic)
    {
        if (_routes.TryGetValue((pubSub, topic), out var cached))
        {
            return cached;
        }
        using var discovery = new HttpRequestMessage(HttpMethod.Get, new Uri(AppBase!, "/dapr/subscribe"));
        if (AppApiToken is not null)
        {
            discovery.Headers.Add("dapr-api-token", AppApiToken);
        }
        using var answer = await _http.SendAsync(discovery);
        answer.EnsureSuccessStatusCode();
        var subscriptions = await answer.Content.ReadFromJsonAsync<JsonArray>()
            ?? throw new InvalidOperationException("the app returned no subscriptions");
        foreach (var subscription in subscriptions)
        {
            if ((string?)subscription?["pubsubName"] == pubSub && (string?)subscription?["topic"] == topic)
            {
                var route = (string?)subscription["route"] ?? (string?)subscription["routes"]?["default"]
                    ?? throw new InvalidOperationException("subscription without a route");
                return _routes[(pubSub, topic)] = route.StartsWith('/') ? route : "/" + route;
            }
        }
        throw new InvalidOperationException($"the app does not subscribe to {pubSub}/{topic}");
    }
}
