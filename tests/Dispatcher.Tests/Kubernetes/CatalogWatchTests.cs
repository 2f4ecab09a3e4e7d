using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Kubernetes.Catalog;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>The Kubernetes catalog source: list, watch, bookmarks, expiry, empty closes, an absent API server.</summary>
public sealed class CatalogWatchTests : IAsyncLifetime
{
    private KubeApiStandIn _api = null!;
    private Replica _replica = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiStandIn.StartAsync();
        _api.Seed("arkevents", Fixtures.Webhook("existing"));
        _api.Seed("arkevents", Fixtures.Cron("broken", "61 * * * *", ns: "team-b"));
        _replica = await Replica.StartAsync(_api, "pod-a");
        await Eventually.Until(() => _replica.Services.GetRequiredService<CatalogSyncState>().IsSynced, "first listing");
    }

    public async Task DisposeAsync()
    {
        await _replica.DisposeAsync();
        await _api.DisposeAsync();
    }

    private int Lists => _api.Requests.Count(r => r.Method == "GET" && r.Path == "/apis/arkonis.dev/v1alpha1/arkevents" && r.Query.Contains("watch=false", StringComparison.Ordinal));

    private int Watches => _api.Requests.Count(r => r.Method == "GET" && r.Path == "/apis/arkonis.dev/v1alpha1/arkevents" && r.Query.Contains("watch=true", StringComparison.Ordinal));

    [Fact]
    public async Task Lists_all_namespaces_and_holds_an_invalid_event_with_its_problems()
    {
        Assert.NotNull(_replica.Catalog.Find("team-a", "existing"));
        var broken = _replica.Catalog.Find("team-b", "broken");
        Assert.NotNull(broken);
        Assert.False(broken.IsValid);
        Assert.Contains(broken.Problems, p => p.StartsWith("spec.source.cron", StringComparison.Ordinal));
        // The defaulter ran on what was read.
        Assert.Equal("Allow", _replica.Catalog.Find("team-a", "existing")!.Event.Spec.ConcurrencyPolicy);
        Assert.Equal(1, Lists);
    }

    [Fact]
    public async Task Follows_added_modified_and_deleted_events()
    {
        await Eventually.Until(() => _api.OpenWatches("arkevents") >= 1, "watch open");
        _api.Seed("arkevents", Fixtures.Webhook("new-one"));
        await Eventually.Until(() => _replica.Catalog.Find("team-a", "new-one") is not null, "ADDED reaches the catalog");

        _api.Update("arkevents", "team-a", "new-one", o => o["spec"]!["suspend"] = true);
        await Eventually.Until(() => _replica.Catalog.Find("team-a", "new-one")?.Event.Spec.Suspend == true, "MODIFIED reaches the catalog");

        _api.Delete("arkevents", "team-a", "new-one");
        await Eventually.Until(() => _replica.Catalog.Find("team-a", "new-one") is null, "DELETED reaches the catalog");
        Assert.Equal(1, Lists);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_expired_watch_relists_and_replaces_the_catalog(bool expireWithHttpStatus)
    {
        _api.ExpireWithHttpStatus = expireWithHttpStatus;
        await Eventually.Until(() => _api.OpenWatches("arkevents") >= 1, "watch open");
        _api.Unavailable = true; // the watch drops; while away, things change and the history is compacted
        _api.Delete("arkevents", "team-a", "existing");
        _api.Seed("arkevents", Fixtures.Webhook("created-while-away"));
        _api.Compact();
        _api.Unavailable = false;

        await Eventually.Until(() => _replica.Catalog.Find("team-a", "created-while-away") is not null && _replica.Catalog.Find("team-a", "existing") is null,
            "re-list replaces the catalog");
        Assert.Equal(2, Lists);
        Assert.NotNull(_replica.Catalog.Find("team-b", "broken"));
    }

    [Fact]
    public async Task A_bookmark_moves_the_resource_version_so_a_rewatch_needs_no_relist()
    {
        await Eventually.Until(() => _api.OpenWatches("arkevents") >= 1, "watch open");
        // Unrelated writes move the store's resourceVersion past the last ArkEvent change.
        _api.Seed("secrets", new() { ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "noise", ["namespace"] = "team-a" } });
        // The bookmark is written before the close, so the client reads it before it watches again.
        _api.SendBookmarks();
        _api.Compact();
        var watchesBefore = Watches;
        _api.CloseWatches();
        await Eventually.Until(() => Watches > watchesBefore && _api.OpenWatches("arkevents") >= 1, "re-watch");
        _api.Seed("arkevents", Fixtures.Webhook("after-bookmark"));
        await Eventually.Until(() => _replica.Catalog.Find("team-a", "after-bookmark") is not null, "event after the bookmark");
        Assert.Equal(1, Lists);
    }

    [Fact]
    public async Task A_watch_that_closes_without_any_event_is_simply_watched_again()
    {
        await Eventually.Until(() => _api.OpenWatches("arkevents") >= 1, "watch open");
        var watchesBefore = Watches;
        _api.CloseWatches(); // zero lines: the client throws EndOfStreamException from its peek
        await Eventually.Until(() => Watches > watchesBefore && _api.OpenWatches("arkevents") >= 1, "re-watch");
        _api.Seed("arkevents", Fixtures.Webhook("after-empty-close"));
        await Eventually.Until(() => _replica.Catalog.Find("team-a", "after-empty-close") is not null, "event after the empty close");
        Assert.Equal(1, Lists);
    }

    [Fact]
    public async Task While_the_api_server_is_away_the_catalog_keeps_its_last_good_state()
    {
        await Eventually.Until(() => _api.OpenWatches("arkevents") >= 1, "watch open");
        _api.Unavailable = true;
        var failedBefore = _api.Requests.Count(r => r.Status == 503);
        await Eventually.Until(() => _api.Requests.Count(r => r.Status == 503 && r.Path.EndsWith("/arkevents", StringComparison.Ordinal)) >= failedBefore + 3,
            "several failed watch attempts");
        Assert.NotNull(_replica.Catalog.Find("team-a", "existing"));
        Assert.NotNull(_replica.Catalog.Find("team-b", "broken"));

        _api.Unavailable = false;
        _api.Seed("arkevents", Fixtures.Webhook("after-outage"));
        await Eventually.Until(() => _replica.Catalog.Find("team-a", "after-outage") is not null, "watch resumes after the outage");
        Assert.Equal(1, Lists); // resumed from its resourceVersion, no re-list needed
    }
}
