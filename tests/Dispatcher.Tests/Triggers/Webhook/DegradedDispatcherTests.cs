using Arkonis.Dispatcher.Triggers.Concurrency;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Triggers.Cron;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Dispatcher.Tests.Triggers.Webhook;

/// <summary>A dispatcher whose workflow engine is unreachable and whose rate limit is tiny.</summary>
public sealed class DegradedDispatcherFixture : DispatcherFixture
{
    protected override string? WorkflowEndpoint => $"http://127.0.0.1:{FreePorts.Next()}";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["TriggerApi:RatePerSecond"] = "1",
        ["TriggerApi:RateBurst"] = "2",
        ["Sidecar:CallTimeout"] = "00:00:01",
        ["APP_API_TOKEN"] = AppApiToken,
    };

    public const string AppApiToken = "app-api-token-for-callbacks";
}

public sealed class DegradedDispatcherTests(DegradedDispatcherFixture app) : IClassFixture<DegradedDispatcherFixture>
{
    [Fact]
    public async Task With_the_sidecar_down_a_fire_gets_503_with_Retry_After_within_two_seconds()
    {
        var watch = Stopwatch.StartNew();
        using var request = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/down/fire", "{}");
        using var response = await app.Public.SendAsync(request);
        watch.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("https://arkonis.dev/problems/dispatcher-unavailable", (string)problem!["type"]!);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2.5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task With_the_sidecar_down_a_Forbid_trigger_with_a_run_on_record_gets_503_not_409()
    {
        // A run launched before the sidecar went away: its state cannot be read now, which says nothing about
        // whether it still goes on. That is "unavailable", not "a run is still going".
        app.Services.GetRequiredService<RunLedger>().Record("default", "exclusive", "default.exclusive.earlier");
        var watch = Stopwatch.StartNew();
        using var request = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/exclusive/fire", "{}");
        using var response = await app.Public.SendAsync(request);
        watch.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("https://arkonis.dev/problems/dispatcher-unavailable", (string)problem!["type"]!);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2.5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_run_id_the_dispatcher_never_makes_is_404_without_asking_the_sidecar()
    {
        using var request = DispatcherFixture.Authorized(HttpMethod.Get, "/triggers/default/hello/runs/" + Uri.EscapeDataString("not a run id!"));
        using var response = await app.Public.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("https://arkonis.dev/problems/run-not-found", (string)problem!["type"]!);
    }

    [Fact]
    public async Task Requests_over_the_per_trigger_rate_get_429_with_Retry_After()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            // A request answered at once (400), so the bucket has no time to refill.
            using var request = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/limited/fire?mode=bad", "{}");
            using var response = await app.Public.SendAsync(request);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
                var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
                Assert.Equal("https://arkonis.dev/problems/rate-limited", (string)problem!["type"]!);
            }
        }
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);

        // Another trigger has its own budget.
        using var other = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire?mode=bad", "{}");
        using var otherResponse = await app.Public.SendAsync(other);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, otherResponse.StatusCode);
    }

    [Fact]
    public async Task With_an_app_API_token_the_callbacks_require_it()
    {
        using var without = await app.Callbacks.GetAsync("/dapr/subscribe");
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
        wrong.Headers.Add("dapr-api-token", "nope");
        using var wrongAnswer = await app.Callbacks.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAnswer.StatusCode);

        using var right = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
        right.Headers.Add("dapr-api-token", DegradedDispatcherFixture.AppApiToken);
        using var rightAnswer = await app.Callbacks.SendAsync(right);
        Assert.Equal(HttpStatusCode.OK, rightAnswer.StatusCode);

        // The public API is not a callback: no app token needed there.
        using var fire = await app.Public.SendAsync(DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire?mode=bad", "{}"));
        Assert.Equal(HttpStatusCode.BadRequest, fire.StatusCode);
    }

    [Fact]
    public async Task With_the_workflow_engine_down_a_completion_is_handed_back_for_redelivery()
    {
        app.Sidecar.PubSub.AppApiToken = DegradedDispatcherFixture.AppApiToken;
        var completion = new JsonObject
        {
            ["namespace"] = "default", ["flow"] = "echo", ["runId"] = "echo-1", ["phase"] = "Succeeded",
            ["completedAt"] = DateTimeOffset.UtcNow, ["correlationId"] = "default.down.0123.echo",
        };
        var delivery = await app.Sidecar.PubSub.DeliverOnceAsync("arkevent-pubsub", "flow-completed", completion);
        Assert.Equal((200, "RETRY"), (delivery.HttpStatus, delivery.Reply));
    }

    /// <summary>
    /// The dispatcher's RETRY (it cannot route the completion while its workflow engine is down) under each pub/sub
    /// component's delivery: pubsub.in-memory without a Resiliency calls it ten times and drops the message
    /// (components-contrib pubsub/in-memory/in-memory.go); pubsub.redis keeps it pending and redelivers it after
    /// processingTimeout for as long as it is not acknowledged (components-contrib pubsub/redis).
    /// </summary>
    [Theory]
    [InlineData(Embedded.Runtime.PubSubComponentType.InMemory)]
    [InlineData(Embedded.Runtime.PubSubComponentType.Redis)]
    public async Task A_completion_the_dispatcher_answers_RETRY_is_redelivered_as_the_component_does(Embedded.Runtime.PubSubComponentType component)
    {
        var delivery = new Embedded.Runtime.PubSubDelivery
        {
            Component = component,
            ProcessingTimeout = TimeSpan.FromMilliseconds(150),
            RedeliverInterval = TimeSpan.FromMilliseconds(50),
        };
        var channel = new Embedded.Runtime.AppChannel { Address = app.Sidecar.PubSub.AppBase, ApiToken = DegradedDispatcherFixture.AppApiToken };
        using var pubSub = new Embedded.Runtime.InMemoryPubSub(channel, delivery, TimeProvider.System);
        var completion = new JsonObject
        {
            ["namespace"] = "default", ["flow"] = "echo", ["runId"] = "echo-2", ["phase"] = "Succeeded",
            ["completedAt"] = DateTimeOffset.UtcNow, ["correlationId"] = "default.down.0456.echo",
        };

        await pubSub.PublishAsync("arkevent-pubsub", "flow-completed", System.Text.Encoding.UTF8.GetBytes(completion.ToJsonString()), "application/json");
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (pubSub.Deliveries.Count < 12 && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }
        await Task.Delay(500);

        var deliveries = pubSub.Deliveries.ToArray();
        Assert.All(deliveries, d => Assert.Equal((200, "RETRY"), (d.HttpStatus, d.Reply)));
        if (component == Embedded.Runtime.PubSubComponentType.InMemory)
        {
            Assert.Equal(10, deliveries.Length);
        }
        else
        {
            Assert.True(deliveries.Length >= 12, $"{deliveries.Length} deliveries");
            Assert.Single(pubSub.Pending);
        }
    }

    [Fact]
    public async Task With_the_secret_store_down_authentication_gets_503_not_401()
    {
        await using var sidecarless = new DispatcherApp(app.Sidecar, app.CatalogDirectory, new Dictionary<string, string?>
        {
            ["DAPR_GRPC_ENDPOINT"] = $"http://127.0.0.1:{FreePorts.Next()}",
            ["Sidecar:CallTimeout"] = "00:00:01",
        });
        sidecarless.UseKestrel();
        sidecarless.StartServer();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{sidecarless.PublicPort}") };
        var watch = Stopwatch.StartNew();
        using var response = await client.SendAsync(DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire", "{}"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2.5), $"took {watch.Elapsed}");
    }
}
