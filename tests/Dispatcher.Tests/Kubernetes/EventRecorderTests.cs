using Arkonis.Dispatcher.Tests.Harness;
using System.Diagnostics.Metrics;
using Arkonis.Dispatcher.Kubernetes;
using Arkonis.Dispatcher.Kubernetes.Events;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Arkonis.Model.Resources;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>
/// Kubernetes Events: the fields events.k8s.io/v1 requires, MicroTime on the wire, spam control as client-go's
/// series (<c>staging/src/k8s.io/client-go/tools/events/event_broadcaster.go</c>: getKey, recordToSink, refreshExistingEventSeries).
/// </summary>
public sealed class EventRecorderTests
{
    private static readonly ArkEvent Regarding = new()
    {
        Metadata = new V1ObjectMeta { Name = "hook", NamespaceProperty = "team-a", Uid = "uid-1", ResourceVersion = "7" },
    };

    private static KubernetesEventRecorder Recorder(IKubernetes client, TimeProvider time) =>
        new(client, Options.Create(new KubernetesModeOptions { PodName = "pod-a", EventRepeatWindow = TimeSpan.FromMinutes(5), EventSeriesRefresh = TimeSpan.FromMinutes(1) }), time,
            new KubernetesModeMetrics(new TestMeterFactory()), NullLogger<KubernetesEventRecorder>.Instance);

    [Fact]
    public void A_whole_second_still_gets_a_microsecond_fraction_on_the_wire()
    {
        var whole = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Matches(@"^""2026-01-01T00:00:00\.000001Z""$", KubernetesJson.Serialize(KubernetesEventRecorder.MicroTime(whole)));
        var fraction = whole.AddTicks(1234567);
        Assert.Matches(@"^""2026-01-01T00:00:00\.123456Z""$", KubernetesJson.Serialize(KubernetesEventRecorder.MicroTime(fraction)));
    }

    [Theory]
    [InlineData("a", 1024, 1024)]      // at the limit: kept as is
    [InlineData("a", 1025, 1024)]      // one byte over: cut to 1021 bytes and "..."
    [InlineData("\u00e9", 600, 1023)] // 1200 bytes in 600 characters: cut on a character boundary
    [InlineData("\U0001F600", 300, 1023)] // surrogate pairs are never split
    public void The_note_fits_the_1kB_limit_in_UTF8_bytes(string unit, int repeat, int expectedBytes)
    {
        var note = KubernetesEventRecorder.Note(string.Concat(Enumerable.Repeat(unit, repeat)));

        Assert.Equal(expectedBytes, System.Text.Encoding.UTF8.GetByteCount(note));
        Assert.DoesNotContain('\uFFFD', System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(note)));
    }

    [Fact]
    public async Task Events_carry_every_required_field_and_identical_repeats_are_dropped_for_the_window()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        var recorder = Recorder(api.NewClient(), time);
        await recorder.StartAsync(default);
        try
        {
            recorder.Record(Regarding, EventKind.InvalidSpec, "spec.targets: Required value");
            recorder.Record(Regarding, EventKind.InvalidSpec, "spec.targets: Required value"); // dropped
            recorder.Record(Regarding, EventKind.Fired, "run r1 started");                    // a different event
            time.Advance(TimeSpan.FromMinutes(5));
            recorder.Record(Regarding, EventKind.InvalidSpec, "spec.targets: Required value"); // window passed
            await Eventually.Until(() => api.List("events", "team-a").Count == 3, "three events written");

            var events = api.List("events", "team-a");
            Assert.Equal(2, events.Count(e => (string?)e["reason"] == "InvalidSpec"));
            var ev = events.First(e => (string?)e["reason"] == "InvalidSpec");
            Assert.Equal("Warning", (string?)ev["type"]);
            Assert.Equal("Validate", (string?)ev["action"]);
            Assert.Equal("arkonis.dev/arkevent-dispatcher", (string?)ev["reportingController"]);
            Assert.Equal("pod-a", (string?)ev["reportingInstance"]);
            Assert.Equal("spec.targets: Required value", (string?)ev["note"]);
            Assert.Equal("uid-1", (string?)ev["regarding"]!["uid"]);
            Assert.Equal("ArkEvent", (string?)ev["regarding"]!["kind"]);
            Assert.Equal("arkonis.dev/v1alpha1", (string?)ev["regarding"]!["apiVersion"]);
            Assert.StartsWith("hook.", (string?)ev["metadata"]!["name"], StringComparison.Ordinal);
            Assert.All(api.Requests.Where(r => r.Path.EndsWith("/events", StringComparison.Ordinal)), r => Assert.Equal(201, r.Status));
        }
        finally
        {
            await recorder.StopAsync(default);
        }
    }

    [Fact]
    public async Task Repeats_differing_only_in_their_note_are_one_event_whose_series_counts_them()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        var recorder = Recorder(api.NewClient(), time);
        await recorder.StartAsync(default);
        try
        {
            for (var run = 1; run <= 10; run++)
            {
                recorder.Record(Regarding, EventKind.Fired, $"run r{run} started");
                time.Advance(TimeSpan.FromSeconds(1));
            }
            recorder.Record(Regarding, EventKind.RunSucceeded, "run r1 Succeeded"); // another reason: another Event

            // The second one makes it a series at once (a patch); the rest are counted and patched on the refresh.
            await Eventually.Until(() => api.List("events", "team-a").Any(e => (int?)e["series"]?["count"] == 2), "a series of two");
            time.Advance(TimeSpan.FromMinutes(1));
            await Eventually.Until(() => api.List("events", "team-a").Any(e => (int?)e["series"]?["count"] == 10), "the refresh writes the count");

            var events = api.List("events", "team-a");
            Assert.Equal(2, events.Count);
            var fired = events.Single(e => (string?)e["reason"] == "Fired");
            Assert.Equal("run r1 started", (string?)fired["note"]);
            Assert.Matches(@"^2026-11-28T12:00:09\.000001Z$", (string?)fired["series"]!["lastObservedTime"]);
            Assert.Equal(1, api.CountRequests("POST", "/events") - 1); // one create for Fired (and one for RunSucceeded)
            Assert.Equal(2, api.CountRequests("PATCH", "/events/"));

            // Quiet for the window: the series is over, the next one is a new Event.
            time.Advance(TimeSpan.FromMinutes(5));
            recorder.Record(Regarding, EventKind.Fired, "run r11 started");
            await Eventually.Until(() => api.List("events", "team-a").Count(e => (string?)e["reason"] == "Fired") == 2, "a new Event after the window");
        }
        finally
        {
            await recorder.StopAsync(default);
        }
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
