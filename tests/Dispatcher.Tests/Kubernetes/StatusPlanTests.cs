using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Kubernetes.Status;
using Arkonis.Model.Resources;
using k8s;
using k8s.Models;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>The reconciled status as a pure function of the entry and the time.</summary>
public sealed class StatusPlanTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 7, 30, 0, TimeSpan.Zero);

    private static CatalogEntry Entry(string json, params string[] problems) =>
        new(KubernetesJson.Deserialize<ArkEvent>(json), problems);

    public static TheoryData<string, string[], bool, string, string> Cases => new()
    {
        { """{"metadata":{"name":"w","namespace":"n","generation":3},"spec":{"source":{"type":"webhook"}}}""", [], true, "WebhookReady", "waiting for webhook POST" },
        { """{"metadata":{"name":"c","namespace":"n"},"spec":{"source":{"type":"cron","cron":"0 8 * * *","timezone":"UTC"}}}""", [], true, "Scheduled", StatusPlan.ScheduledMessage },
        { """{"metadata":{"name":"c","namespace":"n"},"spec":{"source":{"type":"cron","cron":"0 8 * * *","timezone":"Europe/Berlin"}}}""", [], true, "Scheduled", StatusPlan.ScheduledMessage },
        { """{"metadata":{"name":"f","namespace":"n"},"spec":{"source":{"type":"flow-output","flow":"up"}}}""", [], true, "WaitingForFlow", "waiting for flow up to complete" },
        { """{"metadata":{"name":"s","namespace":"n"},"spec":{"suspend":true,"source":{"type":"cron","cron":"0 8 * * *"}}}""", [], false, "Suspended", "the event is suspended; it does not fire" },
        { """{"metadata":{"name":"x","namespace":"n"},"spec":{"source":{"type":"cron","cron":"61 * * * *"}}}""", ["spec.source.cron: Invalid value: \"61 * * * *\": bad", "spec.targets: Required value"], false, "InvalidSpec", "spec.source.cron: Invalid value: \"61 * * * *\": bad; spec.targets: Required value" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ready_condition_per_case(string json, string[] problems, bool ready, string reason, string message)
    {
        var desired = StatusPlan.For(Entry(json, problems), Now, "http://base:8092/");
        Assert.Equal(new ReadyState(ready, reason, message), desired.Ready);
    }

    [Fact]
    public void Webhook_url_and_no_schedule_for_a_webhook_nothing_for_an_invalid_event()
    {
        var webhook = StatusPlan.For(Entry("""{"metadata":{"name":"w","namespace":"n","generation":3},"spec":{"source":{"type":"webhook"}}}"""), Now, "http://base:8092/");
        Assert.Equal("http://base:8092/triggers/n/w/fire", webhook.WebhookUrl);
        Assert.Null(webhook.NextFireAt);
        Assert.Equal(3, webhook.ObservedGeneration);

        var cron = StatusPlan.For(Entry("""{"metadata":{"name":"c","namespace":"n"},"spec":{"source":{"type":"cron","cron":"0 8 * * *"}}}"""), Now, "http://base");
        Assert.Equal(new DateTime(2026, 11, 28, 8, 0, 0, DateTimeKind.Utc), cron.NextFireAt);
        Assert.Null(cron.WebhookUrl);

        var invalid = StatusPlan.For(Entry("""{"metadata":{"name":"w","namespace":"n"},"spec":{"source":{"type":"webhook"}}}""", "spec.targets: Required value"), Now, "http://base");
        Assert.Null(invalid.WebhookUrl);
        Assert.Null(invalid.NextFireAt);
    }

    [Fact]
    public void Merge_patch_is_null_when_nothing_changed_and_an_occurrence_moves_only_next_fire_at()
    {
        var entry = Entry("""{"metadata":{"name":"c","namespace":"n","generation":1},"spec":{"source":{"type":"cron","cron":"0 8 * * *"}}}""");
        var first = StatusPlan.For(entry, Now, "http://base");
        var patch = StatusPlan.MergePatch(null, first, Now)!;
        var status = KubernetesJson.Deserialize<ArkEventStatus>(patch["status"]!.ToJsonString());
        Assert.Null(StatusPlan.MergePatch(status, first, Now.AddMinutes(1)));

        // After 08:00 the next fire moves: nextFireAt changes, the condition (message included) does not, so it is not written.
        var later = Now.AddHours(1);
        var second = StatusPlan.For(entry, later, "http://base");
        var update = StatusPlan.MergePatch(status, second, later)!["status"]!.AsObject();
        Assert.Equal("2026-11-29T08:00:00Z", (string?)update["nextFireAt"]);
        Assert.Equal(["nextFireAt"], update.Select(p => p.Key));

        // Suspending changes the reason: a new transition time, nextFireAt removed (null in a merge patch).
        entry.Event.Spec.Suspend = true;
        var suspended = StatusPlan.MergePatch(status, StatusPlan.For(entry, later, "http://base"), later)!["status"]!.AsObject();
        Assert.Equal("2026-11-28T08:30:00Z", (string?)suspended["conditions"]![0]!["lastTransitionTime"]);
        Assert.True(suspended.ContainsKey("nextFireAt"));
        Assert.Null(suspended["nextFireAt"]);
    }

    [Fact]
    public void Other_condition_types_are_kept()
    {
        var entry = Entry("""{"metadata":{"name":"w","namespace":"n"},"spec":{"source":{"type":"webhook"}}}""");
        var status = new ArkEventStatus { Conditions = [new V1Condition { Type = "Audited", Status = "True", Reason = "X", Message = "m", LastTransitionTime = Now.UtcDateTime }] };
        var patch = StatusPlan.MergePatch(status, StatusPlan.For(entry, Now, "http://b"), Now)!;
        var types = patch["status"]!["conditions"]!.AsArray().Select(c => (string?)c!["type"]).ToList();
        Assert.Equal(["Audited", "Ready"], types);
    }

    [Fact]
    public void A_cron_fire_moves_next_fire_at_in_its_own_write_and_an_older_fire_does_not()
    {
        var status = new ArkEventStatus { NextFireAt = new DateTime(2026, 11, 28, 8, 0, 0, DateTimeKind.Utc) };
        var eight = new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);

        new FireRecorded("run-2", eight, eight.AddDays(1)).ApplyTo(status);
        new FireRecorded("run-1", eight.AddDays(-1), eight).ApplyTo(status); // a late report of the previous occurrence

        Assert.Equal(new DateTime(2026, 11, 29, 8, 0, 0, DateTimeKind.Utc), status.NextFireAt);
        Assert.Equal(2, status.FiredCount);
        Assert.Equal("run-2", status.LastRun!.Id);
    }
}
