using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Arkonis.Embedded.Runtime;

/// <summary>What the app answered to one delivery.</summary>
public sealed record Delivery(string Id, string Topic, int HttpStatus, string? Reply);

/// <summary>
/// Delivers published messages to the app like daprd: discovers the route with <c>GET /dapr/subscribe</c> on the app
/// port, then <c>POST</c>s a CloudEvent 1.0 (<c>application/cloudevents+json</c>), redelivering on RETRY or a non-2xx
/// answer (other than 404), a few times (as <c>components/resiliency.yaml</c> makes daprd do).
/// </summary>
public sealed class InMemoryPubSub(AppChannel app) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly ConcurrentDictionary<(string PubSub, string Topic), string> _routes = new();

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

    /// <summary>Every delivery attempt, in order.</summary>
    public ConcurrentQueue<Delivery> Deliveries { get; } = new();

    public void Dispose() => _http.Dispose();

    public void Publish(string pubSub, string topic, byte[] data, string contentType) =>
        _ = Task.Run(() => DeliverWithRetriesAsync(pubSub, topic, data, contentType));

    /// <summary>Sends one CloudEvent (any data) to the topic's route once and returns what the app answered.</summary>
    public async Task<Delivery> DeliverOnceAsync(string pubSub, string topic, JsonNode? data, string? id = null, string dataContentType = "application/json")
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
            ["traceid"] = "00-00000000000000000000000000000000-0000000000000000-00",
            ["time"] = DateTimeOffset.UtcNow.ToString("O"),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(AppBase!, route))
        {
            Content = new StringContent(cloudEvent.ToJsonString(), Encoding.UTF8, "application/cloudevents+json"),
        };
        if (AppApiToken is not null)
        {
            request.Headers.Add("dapr-api-token", AppApiToken);
        }
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
        var delivery = new Delivery((string)cloudEvent["id"]!, topic, (int)response.StatusCode, reply);
        Deliveries.Enqueue(delivery);
        return delivery;
    }

    private async Task DeliverWithRetriesAsync(string pubSub, string topic, byte[] data, string contentType)
    {
        var id = Guid.NewGuid().ToString();
        var node = JsonNode.Parse(data);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                var delivery = await DeliverOnceAsync(pubSub, topic, node, id, string.IsNullOrEmpty(contentType) ? "application/json" : contentType);
                var acked = delivery.HttpStatus is >= 200 and < 300 && delivery.Reply is null or "SUCCESS" or "DROP";
                if (acked || delivery.HttpStatus == 404)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // The app is not up yet, or went away: daprd retries too.
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200 * (attempt + 1)));
        }
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
