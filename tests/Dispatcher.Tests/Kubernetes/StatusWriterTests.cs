using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Kubernetes;
using Arkonis.Dispatcher.Kubernetes.Events;
using Arkonis.Dispatcher.Kubernetes.Status;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Arkonis.Model.Resources;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>The status writer against a catalog copy that lags behind the API server (a late watch, another replica's write).</summary>
public sealed class StatusWriterTests
{
    [Fact]
    public async Task A_completion_the_stale_catalog_copy_would_ignore_is_still_recorded()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        var seeded = Fixtures.Webhook("hook");
        seeded["status"] = new JsonObject { ["firedCount"] = 1, ["lastRun"] = new JsonObject { ["id"] = "run-1", ["result"] = "Running" } };
        var stale = KubernetesJson.Deserialize<ArkEvent>(api.Seed("arkevents", seeded).ToJsonString());
        // Another replica fires run-2 after this replica's catalog saw the object.
        api.Update("arkevents", "team-a", "hook", o => o["status"] = new JsonObject
        {
            ["firedCount"] = 2, ["lastRun"] = new JsonObject { ["id"] = "run-2", ["result"] = "Running" },
        });
        var catalog = new ArkEventCatalog();
        catalog.Upsert(new CatalogEntry(stale, []));
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var writer = new ArkEventStatusWriter(
            api.NewClient(), catalog, Options.Create(new KubernetesModeOptions()), TimeProvider.System,
            new KubernetesModeMetrics(meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            Events(api, meters),
            NullLogger<ArkEventStatusWriter>.Instance);

        // Against the stale copy (lastRun run-1, Running) finishing run-2 changes nothing; against the server it does.
        await writer.Enqueue("team-a", "hook", new RunFinished("run-2", FlowPhases.Succeeded, DateTimeOffset.UnixEpoch));

        var lastRun = api.Get("arkevents", "team-a", "hook")!["status"]!["lastRun"]!;
        Assert.Equal(("run-2", "Succeeded"), ((string?)lastRun["id"], (string?)lastRun["result"]));
        Assert.Equal(2, (int?)api.Get("arkevents", "team-a", "hook")!["status"]!["firedCount"]);
    }

    [Fact]
    public async Task A_fire_whose_patch_landed_but_whose_answer_was_lost_is_counted_once()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        var seeded = Fixtures.Webhook("hook");
        seeded["status"] = new JsonObject { ["firedCount"] = 1, ["lastRun"] = new JsonObject { ["id"] = "run-1", ["result"] = "Succeeded" } };
        var catalog = new ArkEventCatalog();
        catalog.Upsert(new CatalogEntry(KubernetesJson.Deserialize<ArkEvent>(api.Seed("arkevents", seeded).ToJsonString()), []));
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var writer = new ArkEventStatusWriter(
            api.NewClient(), catalog, Options.Create(new KubernetesModeOptions { MinBackoff = TimeSpan.FromMilliseconds(10) }), TimeProvider.System,
            new KubernetesModeMetrics(meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            Events(api, meters),
            NullLogger<ArkEventStatusWriter>.Instance);

        // The first status patch is written, then its answer is lost (a 503 from a proxy in between, say).
        var lost = 0;
        api.FailWith = r =>
        {
            if (r.Method == "PATCH" && r.Path.Value!.EndsWith("/hook/status", StringComparison.Ordinal) && Interlocked.Exchange(ref lost, 1) == 0)
            {
                api.Update("arkevents", "team-a", "hook", o =>
                {
                    o["status"]!["firedCount"] = 2;
                    o["status"]!["lastFiredAt"] = "2026-11-28T12:00:00Z";
                    o["status"]!["lastRun"] = new JsonObject { ["id"] = "run-2", ["result"] = "Running" };
                });
                return System.Net.HttpStatusCode.ServiceUnavailable;
            }
            return null;
        };

        await writer.Enqueue("team-a", "hook", new FireRecorded("run-2", new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero)));

        Assert.Equal(1, Volatile.Read(ref lost));
        Assert.Equal(2, (int?)api.Get("arkevents", "team-a", "hook")!["status"]!["firedCount"]);
    }

    private static KubernetesEventRecorder Events(KubeApiStandIn api, IServiceProvider meters) =>
        new(api.NewClient(), Options.Create(new KubernetesModeOptions { PodName = "pod-a" }), TimeProvider.System,
            new KubernetesModeMetrics(meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), NullLogger<KubernetesEventRecorder>.Instance);

    [Fact]
    public async Task A_status_the_schema_refuses_is_final_and_reported_not_retried_as_a_lost_race()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        var catalog = new ArkEventCatalog();
        catalog.Upsert(new CatalogEntry(KubernetesJson.Deserialize<ArkEvent>(api.Seed("arkevents", Fixtures.Webhook("hook")).ToJsonString()), []));
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var events = Events(api, meters);
        await events.StartAsync(default);
        var writer = new ArkEventStatusWriter(
            api.NewClient(), catalog, Options.Create(new KubernetesModeOptions { MinBackoff = TimeSpan.FromMilliseconds(10) }), TimeProvider.System,
            new KubernetesModeMetrics(meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), events,
            NullLogger<ArkEventStatusWriter>.Instance);
        // The patch applies (its resourceVersion test holds) but the schema refuses the result: 422, as a failed test would be.
        api.FailWith = r => r.Method == "PATCH" && r.Path.Value!.EndsWith("/hook/status", StringComparison.Ordinal)
            ? System.Net.HttpStatusCode.UnprocessableEntity
            : null;

        try
        {
            await writer.Enqueue("team-a", "hook", new FireRecorded("run-1", DateTimeOffset.UnixEpoch));

            Assert.Equal(1, api.CountRequests("PATCH", "/arkevents/hook/status"));
            await Eventually.Until(() => api.List("events", "team-a").Any(e => (string?)e["reason"] == "StatusRefused" && (string?)e["type"] == "Warning"), "a Warning Event");
        }
        finally
        {
            await events.StopAsync(default);
        }
    }
}
