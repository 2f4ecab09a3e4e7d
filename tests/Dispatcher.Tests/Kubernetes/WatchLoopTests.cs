using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Kubernetes;
using Arkonis.Dispatcher.Kubernetes.Watching;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>
/// The list-watch loop as client-go's reflector (<c>staging/src/k8s.io/client-go/tools/cache/reflector.go</c>):
/// the resourceVersion moves past an event only after the handler took it; an in-stream ERROR other than 410 ends
/// the watch and the loop lists again; a BOOKMARK moves the resourceVersion without an event.
/// </summary>
public sealed class WatchLoopTests
{
    private sealed class Recorder : IListWatchHandler
    {
        public ConcurrentQueue<(string Type, string Name, bool Suspended)> Seen { get; } = new();

        public int Listings;

        public Func<WatchEventType, string, bool>? ThrowOn { get; set; }

        public Task OnListedAsync(WatchScope scope, IReadOnlyList<JsonElement> items, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Listings);
            foreach (var item in items)
            {
                Seen.Enqueue(("LISTED", Name(item), Suspended(item)));
            }
            return Task.CompletedTask;
        }

        public Task OnEventAsync(WatchScope scope, WatchEventType type, JsonElement item, CancellationToken cancellationToken)
        {
            Seen.Enqueue((type.ToString(), Name(item), Suspended(item)));
            if (ThrowOn?.Invoke(type, Name(item)) == true)
            {
                ThrowOn = null;
                throw new InvalidOperationException("handler failed");
            }
            return Task.CompletedTask;
        }

        private static string Name(JsonElement item) => item.GetProperty("metadata").GetProperty("name").GetString()!;

        private static bool Suspended(JsonElement item) =>
            item.GetProperty("spec").TryGetProperty("suspend", out var s) && s.ValueKind == JsonValueKind.True;
    }

    private static async Task<(Task Loop, CancellationTokenSource Stop)> RunAsync(KubeApiStandIn api, Recorder recorder)
    {
        var loop = new ListWatchLoop(api.NewClient(), Options.Create(new KubernetesModeOptions
        {
            PodName = "pod-a", MinBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(200),
        }), TimeProvider.System, NullLogger<ListWatchLoop>.Instance);
        var stop = new CancellationTokenSource();
        var running = loop.RunAsync(new WatchScope("arkevents", null), recorder, stop.Token);
        await Eventually.Until(() => recorder.Listings == 1 && api.OpenWatches("arkevents") == 1, "listed and watching");
        return (running, stop);
    }

    [Fact]
    public async Task An_event_the_handler_failed_on_is_delivered_again()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Webhook("hook"));
        var recorder = new Recorder { ThrowOn = (type, name) => type == WatchEventType.Modified && name == "hook" };
        var (loop, stop) = await RunAsync(api, recorder);

        api.Update("arkevents", "team-a", "hook", o => o["spec"]!["suspend"] = true);

        await Eventually.Until(() => recorder.Seen.Count(s => s is ("Modified", "hook", true)) == 2, "the failed event is delivered again");
        Assert.Equal(1, recorder.Listings);
        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task A_stream_error_other_than_gone_lists_again_instead_of_re_watching_the_same_version()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Webhook("hook"));
        api.Seed("arkevents", Fixtures.Webhook("other"));
        var recorder = new Recorder();
        var (loop, stop) = await RunAsync(api, recorder);
        var at = (string)api.Update("arkevents", "team-a", "hook", o => o["spec"]!["suspend"] = true)["metadata"]!["resourceVersion"]!;
        await Eventually.Until(() => recorder.Seen.Contains(("Modified", "hook", true)), "watched");

        // The server cannot serve a watch from that version any more (ERROR 500 in the stream).
        api.BreakWatchesFrom(at);
        api.CloseWatches();
        api.Update("arkevents", "team-a", "other", o => o["spec"]!["suspend"] = true);

        await Eventually.Until(() => recorder.Seen.Contains(("LISTED", "other", true)), "listed again and saw the later change");
        Assert.Equal(2, recorder.Listings);
        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task Periodic_bookmarks_keep_the_watch_position_current_so_a_compaction_needs_no_relist()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Webhook("hook"));
        var recorder = new Recorder();
        var (loop, stop) = await RunAsync(api, recorder);

        // Writes to other kinds move the resourceVersion; only bookmarks tell an ArkEvent watch about them.
        api.Seed("secrets", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "s", ["namespace"] = "team-a" } });
        var sent = api.BookmarksSent;
        api.BookmarkInterval = TimeSpan.FromMilliseconds(50);
        await Eventually.Until(() => api.BookmarksSent > sent, "a bookmark sent after the last write");
        api.BookmarkInterval = null;

        // History before the current version is gone; the bookmark still in the stream arrives before the stream ends.
        api.Compact();
        api.CloseWatches();
        await Eventually.Until(() => api.Requests.Count(r => r.Query.Contains("watch=true", StringComparison.Ordinal)) == 2 && api.OpenWatches("arkevents") == 1, "watching again");

        Assert.Equal(1, recorder.Listings);
        await stop.CancelAsync();
        await loop;
    }
}
