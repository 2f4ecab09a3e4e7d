using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Kubernetes.Catalog;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

public sealed class NamespacedCatalogTests
{
    [Fact]
    public async Task With_configured_namespaces_only_those_are_listed_and_watched_and_a_relist_of_one_leaves_the_other()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Webhook("a1", ns: "team-a"));
        api.Seed("arkevents", Fixtures.Webhook("b1", ns: "team-b"));
        api.Seed("arkevents", Fixtures.Webhook("c1", ns: "team-c"));
        await using var replica = await Replica.StartAsync(api, "pod-a", new Dictionary<string, string?>
        {
            ["Dispatcher:Kubernetes:Namespaces:0"] = "team-a",
            ["Dispatcher:Kubernetes:Namespaces:1"] = "team-b",
        });
        await Eventually.Until(() => replica.Services.GetRequiredService<CatalogSyncState>().IsSynced, "both namespaces listed");
        Assert.Equal(["a1", "b1"], replica.Catalog.Entries.Select(e => e.Name).Order(StringComparer.Ordinal));
        await Eventually.Until(() => api.OpenWatches("arkevents") == 2, "one watch per namespace");
        Assert.DoesNotContain(api.Requests, r => r.Path == "/apis/arkonis.dev/v1alpha1/arkevents");
        Assert.Contains(api.Requests, r => r.Path == "/apis/arkonis.dev/v1alpha1/namespaces/team-b/arkevents" && r.Query.Contains("watch=false", StringComparison.Ordinal));

        api.Seed("arkevents", Fixtures.Webhook("c2", ns: "team-c"));
        api.Seed("arkevents", Fixtures.Webhook("a2", ns: "team-a"));
        await Eventually.Until(() => replica.Catalog.Find("team-a", "a2") is not null, "a2 arrives");
        Assert.Null(replica.Catalog.Find("team-c", "c2"));

        // Both watches expire; each namespace's re-list replaces only its own part of the catalog.
        api.Unavailable = true;
        api.Delete("arkevents", "team-a", "a1");
        api.Compact();
        api.Unavailable = false;
        await Eventually.Until(() => replica.Catalog.Find("team-a", "a1") is null, "a1 gone after the re-list");
        await Eventually.Until(() => api.OpenWatches("arkevents") == 2, "both watching again");
        Assert.Equal(["a2", "b1"], replica.Catalog.Entries.Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_failing_first_list_is_retried_with_backoff_until_the_server_answers()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Webhook("a1"));
        var refused = 0;
        api.FailWith = r => r.Path == "/apis/arkonis.dev/v1alpha1/arkevents" && r.Query["watch"] == "false" && Interlocked.Increment(ref refused) <= 4
            ? System.Net.HttpStatusCode.InternalServerError
            : null;
        await using var replica = await Replica.StartAsync(api, "pod-a");
        await Eventually.Until(() => replica.Services.GetRequiredService<CatalogSyncState>().IsSynced, "listed at last");
        Assert.NotNull(replica.Catalog.Find("team-a", "a1"));

        var attempts = api.Requests.Where(r => r.Path == "/apis/arkonis.dev/v1alpha1/arkevents" && r.Query.Contains("watch=false", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, attempts.Count);
        Assert.Equal([500, 500, 500, 500, 200], attempts.Select(r => r.Status));
        // Backoff 20, 40, 80, 160 ms (each at least half that, with jitter): the retries do not hammer the server.
        var gaps = attempts.Zip(attempts.Skip(1), (x, y) => (y.ReceivedAt - x.ReceivedAt).TotalMilliseconds).ToList();
        Assert.True(gaps.Sum() >= 140, string.Join(", ", gaps));
        Assert.True(gaps[3] >= 70, string.Join(", ", gaps));
    }
}
