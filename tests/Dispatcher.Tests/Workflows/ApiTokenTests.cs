using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Triggers;
using Arkonis.Dispatcher.Triggers.Concurrency;
using Arkonis.Dispatcher.Triggers.Cron;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Arkonis.Dispatcher.Tests.Workflows;

/// <summary>
/// With Dapr's API token enabled (<c>DAPR_API_TOKEN</c>), daprd refuses every call without the matching
/// <c>dapr-api-token</c> header (gRPC Unauthenticated, HTTP 401; dapr/dapr <c>pkg/api/grpc/endpoints.go</c>,
/// <c>pkg/api/http/http.go</c>). The .NET SDK adds the header inside its own clients (dotnet-sdk
/// <c>src/Dapr.Workflow/Client/WorkflowGrpcClient.cs</c>, <c>src/Dapr.Client/DaprClientGrpc.cs</c>), not on a raw gRPC client.
/// The embedded runtime enforces the token on all its ports; webhook (async and sync), cron and flow-output fires run end to end.
/// </summary>
public sealed class ApiTokenTests(ApiTokenTests.Fixture app) : IClassFixture<ApiTokenTests.Fixture>
{
    public const string DaprToken = "dapr-api-token-for-tests";

    public sealed class Fixture : DispatcherFixture
    {
        protected override DaprdBehaviour? Daprd => new() { ApiToken = DaprToken };

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["TriggerApi:TokenCacheTtl"] = "00:00:00.200",
            ["DAPR_API_TOKEN"] = DaprToken,
        };

        protected override IReadOnlyDictionary<string, string> Events => new Dictionary<string, string>(TestEvents.All)
        {
            ["token-cron.yaml"] = """
                apiVersion: arkonis.dev/v1alpha1
                kind: ArkEvent
                metadata: { name: token-cron, namespace: default }
                spec:
                  source: { type: cron, cron: "* * * * *" }
                  targets:
                    - pipeline: token-cron-flow
                """,
            ["token-after.yaml"] = """
                apiVersion: arkonis.dev/v1alpha1
                kind: ArkEvent
                metadata: { name: token-after, namespace: default }
                spec:
                  source: { type: flow-output, flow: token-cron-flow }
                  targets:
                    - pipeline: token-after-flow
                """,
        };
    }

    [Fact]
    public async Task Webhook_async_and_sync_cron_and_flow_output_fires_all_carry_the_token()
    {
        // Webhook, async: 202, then the run read back through the status endpoint.
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire", """{"topic":"token-async"}""");
        using var accepted = await app.Public.SendAsync(fire);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var statusUrl = (string)(await accepted.Content.ReadFromJsonAsync<JsonObject>())!["statusUrl"]!;
        var run = await DispatcherFixture.EventuallyAsync(
            async () =>
            {
                using var read = DispatcherFixture.Authorized(HttpMethod.Get, statusUrl);
                using var answer = await app.Public.SendAsync(read);
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                return (await answer.Content.ReadFromJsonAsync<JsonObject>())!;
            },
            r => (string?)r["status"] == "Succeeded",
            TimeSpan.FromSeconds(20),
            "the async run to succeed; refused for the token: " + string.Join(", ", app.Sidecar.Daprd.Unauthenticated.Distinct()));
        Assert.Equal("token-async", (string)run["targets"]![0]!["output"]!["echo"]!["topic"]!);

        // Webhook, sync: the wait for the run's end is a workflow call too.
        using var sync = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire?mode=sync&timeout=20s", """{"topic":"token-sync"}""");
        using var done = await app.Public.SendAsync(sync);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("token-sync", (string)(await done.Content.ReadFromJsonAsync<JsonObject>())!["output"]!["echo"]!["topic"]!);

        // Cron: a replica's tick on a simulated clock, through the app's launcher and its Dapr checkpoint store;
        // the cron run's completion then fires the flow-output event.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 9, 59, 30, TimeSpan.Zero));
        var ticker = CronReplica(clock);
        clock.Advance(TimeSpan.FromSeconds(31));
        var tick = await ticker.TickAsync(CancellationToken.None);
        Assert.Equal(1, tick.Started);
        var after = await DispatcherFixture.EventuallyAsync(
            () => Task.FromResult(app.Sidecar.FlowStarts.Snapshot()),
            s => s.Any(x => x.Pipeline == "token-after-flow"),
            TimeSpan.FromSeconds(30),
            "the flow-output event to fire after the cron run's flow");
        Assert.Single(after, s => s.Pipeline == "token-cron-flow");

        Assert.Empty(app.Sidecar.Daprd.Unauthenticated);
    }

    [Fact]
    public async Task The_fake_sidecar_refuses_a_call_without_the_token()
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.Sidecar.HttpEndpoint) };
        using var answer = await http.PostAsync("/v1.0/invoke/flow-runner/method/flows/default/echo/runs", JsonContent.Create(new { }));
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Contains("/v1.0/invoke/flow-runner/method/flows/default/echo/runs", app.Sidecar.Daprd.Unauthenticated);
        app.Sidecar.Daprd.Unauthenticated.Clear();
    }

    private CronTicker CronReplica(FakeTimeProvider clock)
    {
        var services = app.Services;
        var options = Options.Create(new CronTriggerOptions());
        var sidecar = Options.Create(new SidecarOptions { CallTimeout = TimeSpan.FromSeconds(5) });
        var evaluator = new CronEvaluator(services.GetRequiredService<ArkEventCatalog>(), clock, options, NullLogger<CronEvaluator>.Instance);
        var gate = new ConcurrencyGate(new RunLedger(services.GetRequiredService<IRunStatusSource>(), sidecar, NullLogger<RunLedger>.Instance));
        return new CronTicker(evaluator, gate, services.GetRequiredService<IRunLauncher>(), services.GetRequiredService<ITriggerActivity>(),
            services.GetRequiredService<ICronCheckpointStore>(), services.GetRequiredService<TriggerMetrics>(), clock, options, sidecar,
            NullLogger<CronTicker>.Instance);
    }
}
