using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Harness;

namespace Arkonis.Dispatcher.Tests.Faults;

/// <summary>
/// The Dapr sidecar away, at start and in the middle of a run, and back. The dispatcher reaches the embedded runtime
/// through <see cref="SidecarLink"/> relays; cutting both is what the app sees when daprd stops (connections refused,
/// open ones reset: the workflow worker's stream breaks and reconnects after its delay, dapr/dotnet-sdk
/// <c>Dapr.Workflow/Worker/Grpc/GrpcProtocolHandler.cs</c>), while the runtime keeps the workflow state and the state
/// store, as daprd's actor state store keeps them across a restart. Pub/sub is the embedded default
/// (<c>pubsub.in-memory</c> with <c>components/resiliency.yaml</c>): a completion the dispatcher cannot route while the
/// engine is away is answered RETRY and redelivered (src/Dispatcher/Flows/FlowCompletedSubscription.cs).
/// </summary>
public sealed class SidecarOutageTests
{
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Down_at_start_the_dispatcher_is_not_ready_and_answers_503_then_takes_fires_once_the_sidecar_is_up()
    {
        await using var host = await FaultHost.StartAsync(TestEvents.All, linked: true, linkUp: false);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await host.ReadinessAsync());
        var watch = Stopwatch.StartNew();
        using (var refused = await host.FireAsync("hello", """{"topic":"early"}"""))
        {
            watch.Stop();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2.5), $"took {watch.Elapsed}");
        }

        host.SidecarDown(false);

        await DispatcherFixture.EventuallyAsync(host.ReadinessAsync, s => s == HttpStatusCode.OK, Recovery, "ready once the sidecar is up");
        var statusUrl = await FireUntilAcceptedAsync(host, "hello", """{"topic":"late"}""");
        var run = await DispatcherFixture.EventuallyAsync(() => host.RunAsync(statusUrl), r => (string?)r?["status"] == "Succeeded", Recovery, "the run to succeed");
        Assert.Equal("late", (string?)run!["targets"]![0]!["output"]!["echo"]!["topic"]);
    }

    [Fact]
    public async Task Down_in_the_middle_of_a_run_the_completions_wait_and_the_run_finishes_when_it_is_back()
    {
        await using var host = await FaultHost.StartAsync(TestEvents.All, linked: true);
        await DispatcherFixture.EventuallyAsync(host.ReadinessAsync, s => s == HttpStatusCode.OK, Recovery, "ready");
        // Three flows that finish while the sidecar is away.
        var statusUrl = await FireUntilAcceptedAsync(host, "fanout", """{"alpha":"1500","beta":"1500","gamma":"1500","topic":"outage"}""");
        await DispatcherFixture.EventuallyAsync(() => host.RunAsync(statusUrl),
            r => r?["targets"]?.AsArray().All(t => (string?)t!["status"] == "Running") == true, Recovery, "all three flows started");

        host.SidecarDown(true);
        var retriedFrom = host.Runtime.PubSub.Deliveries.Count;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await host.ReadinessAsync());
        // A completion arrives while the workflow engine cannot be reached: handed back for redelivery, not lost.
        await Eventually.Until(() => host.Runtime.PubSub.Deliveries.Skip(retriedFrom).Any(d => d.Reply == "RETRY"),
            "a completion answered RETRY during the outage", Recovery);
        using (var refused = await host.FireAsync("hello", "{}"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        host.SidecarDown(false);

        var run = await DispatcherFixture.EventuallyAsync(() => host.RunAsync(statusUrl),
            r => (string?)r?["status"] is "Succeeded" or "Failed" or "TimedOut", Recovery, "the run to finish");
        Assert.Equal("Succeeded", (string?)run!["status"]);
        Assert.All(run["targets"]!.AsArray(), t => Assert.Equal("Succeeded", (string?)t!["status"]));
        Assert.Equal("outage", (string?)run["targets"]![0]!["output"]!["echo"]!["topic"]);
        Assert.Equal(HttpStatusCode.OK, await host.ReadinessAsync());
        // Each flow ran once: the outage started nothing twice.
        var runId = (string)run["runId"]!;
        Assert.Equal(3, host.Runtime.FlowStarts.AcceptedRuns().Count(a => a.CorrelationId.StartsWith(runId + ".", StringComparison.Ordinal)));
    }

    /// <summary>Fires until the answer is 202 (the token and engine come back a moment after readiness), returns the status URL.</summary>
    private static async Task<string> FireUntilAcceptedAsync(FaultHost host, string name, string body)
    {
        var accepted = await DispatcherFixture.EventuallyAsync(
            async () =>
            {
                using var response = await host.FireAsync(name, body);
                return response.StatusCode == HttpStatusCode.Accepted ? await response.Content.ReadFromJsonAsync<JsonObject>() : null;
            },
            a => a is not null, Recovery, $"a fire of {name} to be accepted");
        return (string)accepted!["statusUrl"]!;
    }
}
