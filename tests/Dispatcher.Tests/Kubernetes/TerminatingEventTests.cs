using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Kubernetes.Catalog;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>
/// An ArkEvent with a <c>deletionTimestamp</c> is on its way out (a finalizer holds it, or the garbage collector is
/// deleting its dependents in the foreground): it is absent from the catalog, so nothing fires it and the reconciler
/// does not re-create what the collector deletes. Deletion as in
/// <c>staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go</c> (Delete, updateForGracefulDeletionAndFinalizers).
/// </summary>
public sealed class TerminatingEventTests
{
    private static JsonObject Held(JsonObject ev)
    {
        ev["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
        return ev;
    }

    private static string? ReadyReason(KubeApiStandIn api, string name) =>
        (string?)api.Get("arkevents", "team-a", name)?["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c?["type"] == "Ready")?["reason"];

    [Fact]
    public async Task A_foreground_deletion_held_by_a_finalizer_removes_the_event_and_its_token_secret_stays_deleted()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Held(Fixtures.Webhook("hook")));
        api.Seed("arkevents", Fixtures.Cron("marker", "0 8 * * *"));
        await using var replica = await Replica.StartAsync(api, "pod-a");
        await Eventually.Until(() => ReadyReason(api, "hook") == "WebhookReady" && ReadyReason(api, "marker") == "Scheduled", "reconciled");
        // Let the reconciler go idle: its queue is worked in order, so once a later change is done, the earlier ones are.
        api.Update("arkevents", "team-a", "marker", o => o["spec"]!["targets"]![0]!["input"] = new JsonObject { ["topic"] = "x" });
        await Eventually.Until(() => (long?)api.Get("arkevents", "team-a", "marker")!["status"]?["observedGeneration"] == 2, "idle");
        Assert.NotNull(api.Get("secrets", "team-a", "hook-webhook-token"));

        // kubectl delete --cascade=foreground: the event stays (its finalizer), the collector deletes the Secret meanwhile.
        api.Delete("arkevents", "team-a", "hook", "Foreground");
        Assert.NotNull(api.Get("arkevents", "team-a", "hook")!["metadata"]!["deletionTimestamp"]);
        Assert.Null(api.Get("secrets", "team-a", "hook-webhook-token"));
        await Eventually.Until(() => replica.Catalog.Find("team-a", "hook") is null, "the terminating event leaves the catalog");

        // Once a later change is reconciled, the terminating event's was too.
        api.Update("arkevents", "team-a", "marker", o => o["spec"]!["suspend"] = true);
        await Eventually.Until(() => ReadyReason(api, "marker") == "Suspended", "a later change reconciled");
        Assert.Null(api.Get("secrets", "team-a", "hook-webhook-token"));
        Assert.Equal(1, api.CountRequests("POST", "/secrets"));

        // The finalizer goes: so does the event, for good.
        api.Update("arkevents", "team-a", "hook", o => o["metadata"]!["finalizers"] = new JsonArray());
        Assert.Null(api.Get("arkevents", "team-a", "hook"));
    }

    [Fact]
    public async Task An_event_listed_while_terminating_is_not_in_the_catalog()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Held(Fixtures.Webhook("hook")));
        api.Seed("arkevents", Fixtures.Webhook("alive"));
        api.Delete("arkevents", "team-a", "hook");
        Assert.NotNull(api.Get("arkevents", "team-a", "hook"));

        await using var replica = await Replica.StartAsync(api, "pod-a");
        await Eventually.Until(() => replica.Services.GetRequiredService<CatalogSyncState>().IsSynced, "first listing");

        Assert.NotNull(replica.Catalog.Find("team-a", "alive"));
        Assert.Null(replica.Catalog.Find("team-a", "hook"));
    }

    [Fact]
    public async Task The_stand_in_collects_dependents_after_a_background_delete_and_before_a_foreground_one_ends()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        var owner = api.Seed("arkevents", Fixtures.Webhook("hook"));
        var reference = new JsonObject { ["apiVersion"] = "arkonis.dev/v1alpha1", ["kind"] = "ArkEvent", ["name"] = "hook", ["uid"] = owner["metadata"]!["uid"]!.DeepClone() };
        api.Seed("secrets", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "s", ["namespace"] = "team-a", ["ownerReferences"] = new JsonArray(reference) } });
        api.PauseGarbageCollector = true;

        api.Delete("arkevents", "team-a", "hook", "Foreground");
        var waiting = api.Get("arkevents", "team-a", "hook")!;
        Assert.Equal(["foregroundDeletion"], waiting["metadata"]!["finalizers"]!.AsArray().Select(f => (string)f!));
        Assert.Equal(2L, (long?)waiting["metadata"]!["generation"]);
        Assert.NotNull(api.Get("secrets", "team-a", "s"));

        api.CollectGarbage();
        Assert.Null(api.Get("secrets", "team-a", "s"));
        Assert.Null(api.Get("arkevents", "team-a", "hook"));
    }
}
