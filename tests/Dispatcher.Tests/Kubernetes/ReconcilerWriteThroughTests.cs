using System.Diagnostics.Metrics;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Kubernetes;
using Arkonis.Dispatcher.Kubernetes.Catalog;
using Arkonis.Dispatcher.Kubernetes.Events;
using Arkonis.Dispatcher.Kubernetes.Leadership;
using Arkonis.Dispatcher.Kubernetes.Reconciler;
using Arkonis.Dispatcher.Kubernetes.Status;
using Arkonis.Dispatcher.Kubernetes.Tokens;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Arkonis.Model.Resources;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>The reconciler writes its status patch through to the catalog, but never over a newer object.</summary>
public sealed class ReconcilerWriteThroughTests
{
    private static ArkEventReconciler Reconciler(KubeApiStandIn api, ArkEventCatalog catalog, IServiceProvider services)
    {
        var time = TimeProvider.System;
        var options = Options.Create(new KubernetesModeOptions { PodName = "pod-a" });
        var client = api.NewClient();
        var metrics = new KubernetesModeMetrics(services.GetRequiredService<IMeterFactory>());
        var events = new KubernetesEventRecorder(client, options, time, metrics, NullLogger<KubernetesEventRecorder>.Instance);
        return new ArkEventReconciler(
            new LeaderElection(client, options, time, NullLogger<LeaderElection>.Instance),
            catalog,
            new WebhookTokenSecrets(client, options, time),
            new ArkEventStatusWriter(client, catalog, options, time, metrics, events, NullLogger<ArkEventStatusWriter>.Instance),
            events,
            options,
            time,
            NullLogger<ArkEventReconciler>.Instance);
    }

    [Fact]
    public async Task An_object_the_watch_delivered_while_the_status_patch_was_in_flight_is_not_replaced_by_the_patch_result()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        var seeded = api.Seed("arkevents", Fixtures.Cron("nightly", "0 8 * * *"));
        var time = TimeProvider.System;
        var catalog = new ArkEventCatalog();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var reconciler = Reconciler(api, catalog, services);
        catalog.Upsert(ArkEventAssessment.Assess(KubernetesJson.Deserialize<ArkEvent>(seeded.ToJsonString()), time));

        // While the reconciler's status patch is on its way, the watch brings a newer object: the user suspended the event.
        var suspended = KubernetesJson.Deserialize<ArkEvent>(seeded.ToJsonString());
        suspended.Spec.Suspend = true;
        suspended.Metadata.ResourceVersion = "999";
        var newer = ArkEventAssessment.Assess(suspended, time);
        api.FailWith = r =>
        {
            if (r.Method == "PATCH" && r.Path.Value!.EndsWith("/nightly/status", StringComparison.Ordinal))
            {
                catalog.Upsert(newer);
            }
            return null;
        };

        await reconciler.ReconcileOneAsync("team-a", "nightly", CancellationToken.None);

        Assert.NotNull(api.Get("arkevents", "team-a", "nightly")!["status"]?["nextFireAt"]); // the patch was written
        Assert.Same(newer, catalog.Find("team-a", "nightly"));
    }

    [Fact]
    public async Task The_write_through_compares_resource_versions_not_object_identity()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        var seeded = api.Seed("arkevents", Fixtures.Cron("nightly", "0 8 * * *"));
        var time = TimeProvider.System;
        var catalog = new ArkEventCatalog();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var reconciler = Reconciler(api, catalog, services);
        catalog.Upsert(ArkEventAssessment.Assess(KubernetesJson.Deserialize<ArkEvent>(seeded.ToJsonString()), time));

        // While the patch is in flight the watch delivers the object the reconciler read once more (a re-watch): the
        // same version, another instance. The catalog still holds what was reconciled, so the patch result goes in.
        var again = ArkEventAssessment.Assess(KubernetesJson.Deserialize<ArkEvent>(seeded.ToJsonString()), time);
        api.FailWith = r =>
        {
            if (r.Method == "PATCH" && r.Path.Value!.EndsWith("/nightly/status", StringComparison.Ordinal))
            {
                catalog.Upsert(again);
            }
            return null;
        };

        await reconciler.ReconcileOneAsync("team-a", "nightly", CancellationToken.None);

        var held = catalog.Find("team-a", "nightly")!;
        Assert.Equal((string?)api.Get("arkevents", "team-a", "nightly")!["metadata"]!["resourceVersion"], held.Event.Metadata.ResourceVersion);
        Assert.NotNull(held.Event.Status?.NextFireAt);
    }

    [Fact]
    public void The_catalog_swaps_only_while_it_holds_the_expected_version()
    {
        var catalog = new ArkEventCatalog();
        var time = TimeProvider.System;
        ArkEvent Version(string rv)
        {
            var ev = KubernetesJson.Deserialize<ArkEvent>(Fixtures.Cron("nightly", "0 8 * * *").ToJsonString());
            ev.Metadata.Uid = "uid-1";
            ev.Metadata.ResourceVersion = rv;
            return ev;
        }
        catalog.Upsert(ArkEventAssessment.Assess(Version("10"), time));

        Assert.False(catalog.ReplaceIfUnchanged(ArkEventAssessment.Assess(Version("12"), time), "uid-1", "9"));
        Assert.False(catalog.ReplaceIfUnchanged(ArkEventAssessment.Assess(Version("12"), time), "uid-2", "10"));
        Assert.Equal("10", catalog.Find("team-a", "nightly")!.Event.Metadata.ResourceVersion);
        Assert.True(catalog.ReplaceIfUnchanged(ArkEventAssessment.Assess(Version("12"), time), "uid-1", "10"));
        Assert.Equal("12", catalog.Find("team-a", "nightly")!.Event.Metadata.ResourceVersion);
    }
}
