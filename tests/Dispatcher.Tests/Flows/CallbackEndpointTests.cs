using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Tests.Harness;
using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Dispatcher.Tests.Flows;

/// <summary>The Dapr callbacks: only on the callback port; completions delivered as daprd delivers them.</summary>
public sealed class CallbackEndpointTests(DispatcherFixture app) : IClassFixture<DispatcherFixture>
{
    [Fact]
    public async Task The_subscription_is_served_on_the_callback_port_only()
    {
        var subscriptions = await app.Callbacks.GetFromJsonAsync<JsonArray>("/dapr/subscribe");
        var subscription = Assert.Single(subscriptions!);
        Assert.Equal("arkevent-pubsub", (string)subscription!["pubsubName"]!);
        Assert.Equal("flow-completed", (string)subscription["topic"]!);

        using var onPublic = await app.Public.GetAsync("/dapr/subscribe");
        Assert.Equal(HttpStatusCode.NotFound, onPublic.StatusCode);
        using var postOnPublic = await app.Public.PostAsync(FlowCompletedSubscription.Route, JsonContent.Create(new { }));
        Assert.Equal(HttpStatusCode.NotFound, postOnPublic.StatusCode);
        using var fireOnCallback = await app.Callbacks.SendAsync(DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire", "{}"));
        Assert.Equal(HttpStatusCode.NotFound, fireOnCallback.StatusCode);
    }

    [Fact]
    public async Task Malformed_completions_are_dropped_not_retried()
    {
        var notAnObject = await app.Sidecar.PubSub.DeliverOnceAsync("arkevent-pubsub", "flow-completed", JsonValue.Create("garbage"));
        Assert.Equal((200, "DROP"), (notAnObject.HttpStatus, notAnObject.Reply));
        var noPhase = await app.Sidecar.PubSub.DeliverOnceAsync("arkevent-pubsub", "flow-completed",
            new JsonObject { ["namespace"] = "default", ["flow"] = "echo", ["runId"] = "r1" });
        Assert.Equal((200, "DROP"), (noPhase.HttpStatus, noPhase.Reply));
    }

    [Fact]
    public async Task Unknown_correlation_ids_and_redeliveries_are_acknowledged_and_harmless()
    {
        JsonObject Completion(string correlationId) => new()
        {
            ["namespace"] = "default", ["flow"] = "echo", ["runId"] = "echo-x", ["phase"] = "Succeeded",
            ["output"] = new JsonObject { ["late"] = true }, ["completedAt"] = DateTimeOffset.UtcNow, ["correlationId"] = correlationId,
        };
        var unknown = await app.Sidecar.PubSub.DeliverOnceAsync("arkevent-pubsub", "flow-completed", Completion("default.hello.nothing.echo"));
        Assert.Equal((200, "SUCCESS"), (unknown.HttpStatus, unknown.Reply));
        var foreign = await app.Sidecar.PubSub.DeliverOnceAsync("arkevent-pubsub", "flow-completed", Completion("not ours!"));
        Assert.Equal((200, "SUCCESS"), (foreign.HttpStatus, foreign.Reply));

        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire?mode=sync&timeout=20s", """{"v":1}""");
        using var response = await app.Public.SendAsync(fire);
        var run = await response.Content.ReadFromJsonAsync<JsonObject>();
        var runId = (string)run!["runId"]!;
        var redelivered = await app.Sidecar.PubSub.DeliverOnceAsync("arkevent-pubsub", "flow-completed", Completion(runId + ".echo"));
        Assert.Equal((200, "SUCCESS"), (redelivered.HttpStatus, redelivered.Reply));

        using var read = DispatcherFixture.Authorized(HttpMethod.Get, $"/triggers/default/hello/runs/{runId}");
        using var after = await app.Public.SendAsync(read);
        var state = await after.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Succeeded", (string)state!["status"]!);
        Assert.Equal(1, (int)state["output"]!["echo"]!["v"]!);
    }

    [Fact]
    public async Task A_completion_for_a_suspended_run_is_kept_for_it_and_counts_once_it_resumes()
    {
        // The flow takes a minute, so the only completion is the one delivered below, while the run is suspended.
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire", """{"_delayMs":60000}""");
        using var accepted = await app.Public.SendAsync(fire);
        var run = await accepted.Content.ReadFromJsonAsync<JsonObject>();
        var runId = (string)run!["runId"]!;
        var statusUrl = (string)run["statusUrl"]!;
        var workflows = app.Services.GetRequiredService<DaprWorkflowClient>();
        async Task<JsonObject?> ReadRunAsync()
        {
            using var read = DispatcherFixture.Authorized(HttpMethod.Get, statusUrl);
            using var answer = await app.Public.SendAsync(read);
            return await answer.Content.ReadFromJsonAsync<JsonObject>();
        }
        await DispatcherFixture.EventuallyAsync(
            ReadRunAsync,
            state => (string?)state!["targets"]![0]!["status"] == "Running",
            TimeSpan.FromSeconds(20),
            "the flow to start");
        await workflows.SuspendWorkflowAsync(runId, "test");
        await DispatcherFixture.EventuallyAsync(
            () => workflows.GetWorkflowStateAsync(runId, false),
            state => state?.RuntimeStatus == WorkflowRuntimeStatus.Suspended,
            TimeSpan.FromSeconds(20),
            "the run to be suspended");

        var delivery = await app.Sidecar.PubSub.DeliverOnceAsync("arkevent-pubsub", "flow-completed", new JsonObject
        {
            ["namespace"] = "default", ["flow"] = "echo", ["runId"] = "echo-suspended", ["phase"] = "Succeeded",
            ["output"] = new JsonObject { ["while"] = "suspended" }, ["completedAt"] = DateTimeOffset.UtcNow, ["correlationId"] = runId + ".echo",
        });
        Assert.Equal((200, "SUCCESS"), (delivery.HttpStatus, delivery.Reply));
        await workflows.ResumeWorkflowAsync(runId, "test");

        var done = await DispatcherFixture.EventuallyAsync(
            ReadRunAsync,
            state => (string?)state!["status"] != "Running",
            TimeSpan.FromSeconds(20),
            "the resumed run to end");
        Assert.Equal("Succeeded", (string)done!["status"]!);
        Assert.Equal("suspended", (string)done["output"]!["while"]!);
    }
}

/// <summary>Health and metrics on the public port.</summary>
public sealed class HealthAndMetricsTests(DispatcherFixture app) : IClassFixture<DispatcherFixture>
{
    [Fact]
    public async Task Health_readiness_and_Prometheus_metrics_answer_on_the_public_port()
    {
        Assert.Equal("Healthy", await app.Public.GetStringAsync("/healthz"));
        Assert.Equal("Healthy", await app.Public.GetStringAsync("/readyz"));

        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire", "{}");
        using var fired = await app.Public.SendAsync(fire);
        Assert.Equal(HttpStatusCode.Accepted, fired.StatusCode);

        var metrics = await DispatcherFixture.EventuallyAsync(
            () => app.Public.GetStringAsync("/metrics"),
            text => text.Contains("arkevent_runs_launched", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "the run counter in /metrics");
        Assert.Contains("arkevent_trigger_requests", metrics, StringComparison.Ordinal);
        Assert.Contains("service_name=\"arkevent-dispatcher\"", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown_service", metrics, StringComparison.Ordinal);
        using var onCallback = await app.Callbacks.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, onCallback.StatusCode);
    }
}
