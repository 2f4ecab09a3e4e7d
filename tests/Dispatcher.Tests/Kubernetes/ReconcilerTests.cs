using Arkonis.Dispatcher.Tests.Harness;
using Xunit.Abstractions;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Kubernetes;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Arkonis.Model.Resources;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>The leader's reconciler, and trigger activity written as status and Events, through a replica.</summary>
public sealed class ReconcilerTests(ITestOutputHelper output)
{
    private static JsonObject? Ready(KubeApiStandIn api, string name) =>
        api.Get("arkevents", "team-a", name)?["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c?["type"] == "Ready")?.AsObject();

    private static string? ReadyReason(KubeApiStandIn api, string name) => (string?)Ready(api, name)?["reason"];

    [Fact]
    public async Task Each_source_type_gets_its_ready_condition_url_and_schedule()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Webhook("hook"));
        api.Seed("arkevents", Fixtures.Cron("nightly", "0 8 * * *"));
        api.Seed("arkevents", Fixtures.FlowOutput("after", "research-flow"));
        var suspended = Fixtures.Webhook("paused");
        suspended["spec"]!["suspend"] = true;
        api.Seed("arkevents", suspended);
        api.Seed("arkevents", Fixtures.Cron("broken", "61 * * * *"));
        await using var replica = await Replica.StartAsync(api, "pod-a");

        await Eventually.Until(() => new[] { "hook", "nightly", "after", "paused", "broken" }.All(n => Ready(api, n) is not null), "all reconciled");

        var hook = api.Get("arkevents", "team-a", "hook")!["status"]!;
        Assert.Equal("https://hooks.example.test/triggers/team-a/hook/fire", (string?)hook["webhookURL"]);
        AssertReady(api, "hook", "True", "WebhookReady", "waiting for webhook POST");
        Assert.Equal(1, (int?)hook["observedGeneration"]);
        Assert.Equal(1, (int?)Ready(api, "hook")!["observedGeneration"]);
        Assert.NotNull(api.Get("secrets", "team-a", "hook-webhook-token"));

        var nightly = api.Get("arkevents", "team-a", "nightly")!["status"]!;
        var next = DateTimeOffset.Parse((string)nightly["nextFireAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(8, next.UtcDateTime.Hour);
        Assert.Equal(0, next.UtcDateTime.Minute);
        Assert.True(next > DateTimeOffset.UtcNow && next <= DateTimeOffset.UtcNow.AddDays(1));
        AssertReady(api, "nightly", "True", "Scheduled", "fires on its schedule; the next occurrence is in status.nextFireAt");
        Assert.Null(nightly["webhookURL"]);

        AssertReady(api, "after", "True", "WaitingForFlow", "waiting for flow research-flow to complete");
        AssertReady(api, "paused", "False", "Suspended", null);

        var broken = Ready(api, "broken")!;
        Assert.Equal("False", (string?)broken["status"]);
        Assert.Equal("InvalidSpec", (string?)broken["reason"]);
        Assert.StartsWith("spec.source.cron: Invalid value: \"61 * * * *\"", (string?)broken["message"], StringComparison.Ordinal);
        Assert.Null(api.Get("arkevents", "team-a", "broken")!["status"]!["nextFireAt"]);

        // Events: the token was issued, the invalid spec reported — and only once, however often it is reconciled.
        await Eventually.Until(() => api.List("events", "team-a").Any(e => (string?)e["reason"] == "InvalidSpec")
            && api.List("events", "team-a").Any(e => (string?)e["reason"] == "TokenIssued"), "events written");
        var invalid = api.List("events", "team-a").Single(e => (string?)e["reason"] == "InvalidSpec");
        Assert.Equal("Warning", (string?)invalid["type"]);
        Assert.Equal("broken", (string?)invalid["regarding"]!["name"]);
        Assert.Equal("pod-a", (string?)invalid["reportingInstance"]);
        // Every Event write succeeded: creates (201) and series patches (200).
        Assert.Equal(0, api.Requests.Count(r => r.Path.Contains("/events", StringComparison.Ordinal) && r.Status is not (201 or 200)));
    }

    private static void AssertReady(KubeApiStandIn api, string name, string status, string reason, string? message)
    {
        var ready = Ready(api, name)!;
        Assert.True(status == (string?)ready["status"], ready.ToJsonString());
        Assert.Equal(reason, (string?)ready["reason"]);
        if (message is not null)
        {
            Assert.Equal(message, (string?)ready["message"]);
        }
        Assert.NotNull((string?)ready["lastTransitionTime"]);
    }

    [Fact]
    public async Task Last_transition_time_moves_only_when_the_condition_changes_and_unchanged_status_is_not_patched()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Webhook("hook"));
        api.Seed("arkevents", Fixtures.Webhook("other"));
        await using var replica = await Replica.StartAsync(api, "pod-a");
        await Eventually.Until(() => ReadyReason(api, "hook") == "WebhookReady" && ReadyReason(api, "other") == "WebhookReady", "reconciled");
        var firstTransition = (string?)Ready(api, "hook")!["lastTransitionTime"];

        // A spec change that keeps the condition: observedGeneration follows, lastTransitionTime stays.
        api.Update("arkevents", "team-a", "hook", o => o["spec"]!["targets"]![0]!["input"] = new JsonObject { ["topic"] = "x" });
        await Eventually.Until(() => (int?)Ready(api, "hook")?["observedGeneration"] == 2, "generation 2 observed");
        Assert.Equal(firstTransition, (string?)Ready(api, "hook")!["lastTransitionTime"]);
        Assert.Equal(2, (int?)api.Get("arkevents", "team-a", "hook")!["status"]!["observedGeneration"]);

        // A change that needs no status change is not patched: touch "hook", then "other"; once "other" is done, so is "hook".
        var hookPatches = api.CountRequests("PATCH", "/arkevents/hook/status");
        api.Update("arkevents", "team-a", "hook", o => o["metadata"]!["labels"] = new JsonObject { ["touched"] = "yes" });
        api.Update("arkevents", "team-a", "other", o => o["spec"]!["suspend"] = true);
        await Eventually.Until(() => ReadyReason(api, "other") == "Suspended", "other reconciled");
        Assert.Equal(hookPatches, api.CountRequests("PATCH", "/arkevents/hook/status"));

        // Suspending changes the condition: a new transition time.
        api.Update("arkevents", "team-a", "hook", o => o["spec"]!["suspend"] = true);
        await Eventually.Until(() => ReadyReason(api, "hook") == "Suspended", "suspended");
        Assert.NotEqual(firstTransition, (string?)Ready(api, "hook")!["lastTransitionTime"]);
    }

    [Fact]
    public async Task The_rotation_annotation_rotates_the_token_and_the_previous_one_is_dropped_after_the_grace()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Webhook("hook"));
        await using var replica = await Replica.StartAsync(api, "pod-a", new Dictionary<string, string?>
        {
            ["Dispatcher:Kubernetes:TokenRotationGrace"] = "00:00:01",
        });
        var secret = await Eventually.Value(() => api.Get("secrets", "team-a", "hook-webhook-token"), "token issued");
        var original = (string?)secret["data"]!["token"];

        api.Update("arkevents", "team-a", "hook", o => o["metadata"]!["annotations"] = new JsonObject { [ArkonisNames.RotateTokenAnnotation] = "2026-11-28T13:00:00Z" });
        await Eventually.Until(() => (string?)api.Get("secrets", "team-a", "hook-webhook-token")!["data"]!["previous-token"] == original, "rotated with the old token kept");
        Assert.NotEqual(original, (string?)api.Get("secrets", "team-a", "hook-webhook-token")!["data"]!["token"]);
        await Eventually.Until(() => api.List("events", "team-a").Any(e => (string?)e["reason"] == "TokenRotated"), "TokenRotated event");

        // Nothing else changes, yet the reconciler comes back when the grace ends.
        await Eventually.Until(() => api.Get("secrets", "team-a", "hook-webhook-token")!["data"]!["previous-token"] is null, "previous token dropped", TimeSpan.FromSeconds(10));
        Assert.Null(api.Get("secrets", "team-a", "hook-webhook-token")!["data"]!["previous-token-expires-at"]);
    }

    [Fact]
    public async Task Fifty_concurrent_fires_across_two_replicas_count_fifty()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Webhook("hook"));
        await using var a = await Replica.StartAsync(api, "pod-a");
        await using var b = await Replica.StartAsync(api, "pod-b");
        await Eventually.Until(() => a.Catalog.Find("team-a", "hook") is not null && b.Catalog.Find("team-a", "hook") is not null, "both replicas know the event");
        await Eventually.Until(() => ReadyReason(api, "hook") == "WebhookReady", "reconciled once");
        var ev = a.Catalog.Find("team-a", "hook")!.Event;
        var start = DateTimeOffset.UtcNow;

        var fires = Enumerable.Range(0, 50).Select(i => Task.Run(() =>
        {
            var activity = (i % 2 == 0 ? a : b).Services.GetRequiredService<ITriggerActivity>();
            activity.Fired(ev, $"run-{i:00}", start.AddMilliseconds(i));
        }));
        await Task.WhenAll(fires);

        await Eventually.Until(() => (int?)api.Get("arkevents", "team-a", "hook")!["status"]?["firedCount"] == 50, "firedCount reaches 50");
        var patches = api.Requests.Where(r => r.Method == "PATCH" && r.Path.EndsWith("/arkevents/hook/status", StringComparison.Ordinal)
            && (r.ContentType ?? "").StartsWith("application/json-patch+json", StringComparison.Ordinal)).ToList();
        output.WriteLine($"50 fires on 2 replicas: {patches.Count(p => p.Status == 200)} counter patches applied, {patches.Count(p => p.Status == 422)} refused by the resourceVersion test, {(DateTimeOffset.UtcNow - start).TotalMilliseconds:F0} ms to converge");
        Assert.True(patches.Count(p => p.Status == 200) < 50, "fires are batched per event");
        var status = api.Get("arkevents", "team-a", "hook")!["status"]!;
        Assert.Equal("run-49", (string?)status["lastRun"]!["id"]);
        Assert.Equal("Running", (string?)status["lastRun"]!["result"]);

        a.Services.GetRequiredService<ITriggerActivity>().Completed(ev, "run-49", FlowPhases.Succeeded, start.AddSeconds(5));
        await Eventually.Until(() => (string?)api.Get("arkevents", "team-a", "hook")!["status"]!["lastRun"]!["result"] == "Succeeded", "completion recorded");
        status = api.Get("arkevents", "team-a", "hook")!["status"]!;
        Assert.Equal(50, (int?)status["firedCount"]);
        Assert.NotNull((string?)status["lastFiredAt"]);
        Assert.NotNull((string?)status["lastRun"]!["completedAt"]);
        // The reconciler's fields survived the counter patches and vice versa.
        Assert.Equal("WebhookReady", ReadyReason(api, "hook"));
        // Every fire is counted in Events, as one series per replica (client-go's events.k8s.io series), not 50 Events.
        static int Count(JsonObject e) => (int?)e["series"]?["count"] ?? 1;
        await Eventually.Until(() => api.List("events", "team-a").Where(e => (string?)e["reason"] == "Fired").Sum(Count) == 50, "fifty fires counted in Fired events");
        Assert.InRange(api.List("events", "team-a").Count(e => (string?)e["reason"] == "Fired"), 1, 2);
    }

    [Fact]
    public async Task Fires_recorded_while_the_api_server_is_away_are_counted_when_it_is_back()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Webhook("hook"));
        await using var replica = await Replica.StartAsync(api, "pod-a");
        await Eventually.Until(() => ReadyReason(api, "hook") == "WebhookReady", "reconciled");
        var ev = replica.Catalog.Find("team-a", "hook")!.Event;
        var activity = replica.Services.GetRequiredService<ITriggerActivity>();

        api.Unavailable = true;
        for (var i = 0; i < 5; i++)
        {
            activity.Fired(ev, $"run-{i}", DateTimeOffset.UtcNow);
        }
        await Eventually.Until(() => api.Requests.Count(r => r.Status == 503 && r.Path.EndsWith("/arkevents/hook", StringComparison.Ordinal)) >= 2, "status writes retried while away");
        api.Unavailable = false;
        await Eventually.Until(() => (int?)api.Get("arkevents", "team-a", "hook")!["status"]!["firedCount"] == 5, "all five counted");
    }

    [Fact]
    public async Task A_cron_fire_moves_next_fire_at_in_the_same_status_write_as_its_count()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Cron("nightly", "0 8 * * *"));
        await using var replica = await Replica.StartAsync(api, "pod-a");
        await Eventually.Until(() => ReadyReason(api, "nightly") == "Scheduled", "reconciled");
        await Eventually.Until(() => replica.Catalog.Find("team-a", "nightly")?.Event.Status?.NextFireAt is not null, "the catalog has the status");
        var ev = replica.Catalog.Find("team-a", "nightly")!.Event;
        var occurrence = new DateTimeOffset(ev.Status!.NextFireAt!.Value, TimeSpan.Zero);
        var from = api.Requests.Count;

        replica.Services.GetRequiredService<ITriggerActivity>().Fired(ev, "run-1", occurrence);

        await Eventually.Until(() => (int?)api.Get("arkevents", "team-a", "nightly")!["status"]!["firedCount"] == 1, "fire counted");
        // (The test fires ahead of the clock, so the reconciler then puts nextFireAt back; at a real occurrence it agrees.)
        var write = Assert.Single(api.Requests.Skip(from), r => r.Method == "PATCH" && r.Path.EndsWith("/nightly/status", StringComparison.Ordinal)
            && (r.ContentType ?? "").StartsWith("application/json-patch+json", StringComparison.Ordinal) && r.Status == 200);
        var ops = System.Text.Json.Nodes.JsonNode.Parse(write.Body)!.AsArray();
        Assert.Contains(ops, op => (string?)op!["path"] == "/status/firedCount");
        var nextFireAt = ops.Single(op => (string?)op!["path"] == "/status/nextFireAt")!["value"]!;
        Assert.Equal(occurrence.AddDays(1), DateTimeOffset.Parse((string)nextFireAt!, System.Globalization.CultureInfo.InvariantCulture));
    }
}
