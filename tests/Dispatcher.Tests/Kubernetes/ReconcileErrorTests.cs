using System.Net;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Xunit.Abstractions;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>
/// A reconcile that keeps failing backs off per key, exponentially up to a cap, as client-go's workqueue
/// ItemExponentialFailureRateLimiter (<c>staging/src/k8s.io/client-go/util/workqueue/default_rate_limiters.go</c>), and
/// leaves a trace: a Warning Event and Ready=False with reason ReconcileError. The next success clears both.
/// </summary>
public sealed class ReconcileErrorTests(ITestOutputHelper output)
{
    private static bool ReadsTheSecret(RecordedRequest r) =>
        r.Method == "GET" && r.Path.EndsWith("/secrets/hook-webhook-token", StringComparison.Ordinal);

    [Fact]
    public async Task A_failing_reconcile_backs_off_exponentially_and_says_so_in_an_event_and_the_ready_condition()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Webhook("hook"));
        api.FailWith = r => r.Method == "GET" && r.Path.Value!.EndsWith("/secrets/hook-webhook-token", StringComparison.Ordinal)
            ? HttpStatusCode.InternalServerError
            : null;
        // Backoff 20 ms doubling to 200 ms (the replica's MinBackoff and MaxBackoff); before, a flat 20 ms forever.
        await using var replica = await Replica.StartAsync(api, "pod-a");

        await Eventually.Until(() => api.Requests.Count(ReadsTheSecret) >= 9, "nine tries");
        var tries = api.Requests.Where(ReadsTheSecret).Take(9).Select(r => r.ReceivedAt).ToList();
        var gaps = tries.Zip(tries.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToList();
        output.WriteLine($"gaps between tries (ms): {string.Join(", ", gaps.Select(g => g.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}");
        // From the sixth retry on the step is at the cap: at least half of it with jitter.
        Assert.All(gaps.Skip(6), gap => Assert.True(gap >= 95, $"gap {gap:F0} ms"));

        var ready = api.Get("arkevents", "team-a", "hook")!["status"]!["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "Ready")!;
        Assert.Equal(("False", "ReconcileError"), ((string?)ready["status"], (string?)ready["reason"]));
        Assert.Equal("reconcile failed: the API server answered 500 InternalServerError to GET /api/v1/namespaces/team-a/secrets/hook-webhook-token", (string?)ready["message"]);
        await Eventually.Until(() => api.List("events", "team-a").Any(e => (string?)e["reason"] == "ReconcileError" && (string?)e["type"] == "Warning"), "a Warning Event");

        api.FailWith = null;
        await Eventually.Until(() => (string?)api.Get("arkevents", "team-a", "hook")!["status"]!["conditions"]![0]!["reason"] == "WebhookReady", "recovered");
        Assert.NotNull(api.Get("secrets", "team-a", "hook-webhook-token"));
    }

    [Fact]
    public async Task A_reconciled_status_the_schema_refuses_is_final_not_retried_with_backoff()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Webhook("hook"));
        api.Seed("arkevents", Fixtures.Cron("marker", "0 8 * * *"));
        api.FailWith = r => r.Method == "PATCH" && r.Path.Value!.EndsWith("/arkevents/hook/status", StringComparison.Ordinal)
            ? HttpStatusCode.UnprocessableEntity
            : null;
        await using var replica = await Replica.StartAsync(api, "pod-a");

        await Eventually.Until(() => api.List("events", "team-a").Any(e => (string?)e["reason"] == "StatusRefused" && (string?)e["type"] == "Warning"), "a Warning Event");
        // The queue is worked in order: once a later change is reconciled, any retry of "hook" would have come first.
        api.Update("arkevents", "team-a", "marker", o => o["spec"]!["suspend"] = true);
        await Eventually.Until(() => (string?)api.Get("arkevents", "team-a", "marker")!["status"]?["conditions"]?[0]?["reason"] == "Suspended", "a later change reconciled");

        Assert.Equal(1, api.CountRequests("PATCH", "/arkevents/hook/status"));
    }
}
