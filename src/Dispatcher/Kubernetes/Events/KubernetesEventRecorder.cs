using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Arkonis.Model.Resources;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Arkonis.Dispatcher.Kubernetes.Events;

/// <summary>
/// Writes <c>events.k8s.io/v1</c> Events about ArkEvents. Recording never blocks the caller: events go through a
/// bounded queue (full = dropped and counted).
/// <para>
/// Spam control as client-go's events.k8s.io recorder (<c>staging/src/k8s.io/client-go/tools/events/event_broadcaster.go</c>):
/// events are isomorphic when they share the object, type, reason and action (the note is not part of the key, since it
/// holds run ids). The first is created; the second, within <see cref="KubernetesModeOptions.EventRepeatWindow"/> of the
/// last one, turns it into a series (<c>series.count</c> 2, a patch); later ones only count, and the count is patched
/// every <see cref="KubernetesModeOptions.EventSeriesRefresh"/> and on shutdown. A series ends when nothing isomorphic
/// was seen for the window; the next one starts a new Event. So a busy webhook is one Event per replica and reason with
/// a growing count, not one Event per fire.
/// </para>
/// </summary>
internal sealed class KubernetesEventRecorder(
    IKubernetes client,
    IOptions<KubernetesModeOptions> options,
    TimeProvider time,
    KubernetesModeMetrics metrics,
    ILogger<KubernetesEventRecorder> logger) : BackgroundService
{
    private readonly Channel<Outgoing> _queue = Channel.CreateBounded<Outgoing>(
        new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Dictionary<(string Uid, EventKind Kind), Series> _series = [];

    // Three tries, 200 then 400 ms apart; a refusal (422 invalid, 409 exists, 404 gone) is final, and so is our own cancellation.
    private readonly ResiliencePipeline _send = new ResiliencePipelineBuilder { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e
                && e is not HttpOperationException { Response.StatusCode: System.Net.HttpStatusCode.UnprocessableEntity or System.Net.HttpStatusCode.Conflict or System.Net.HttpStatusCode.NotFound }
                && (e is not OperationCanceledException || !args.Context.CancellationToken.IsCancellationRequested)),
            MaxRetryAttempts = 2,
            BackoffType = DelayBackoffType.Linear,
            Delay = TimeSpan.FromMilliseconds(200),
            UseJitter = false,
        })
        .Build();

    public void Record(ArkEvent regarding, EventKind kind, string note)
    {
        var now = time.GetUtcNow();
        var window = options.Value.EventRepeatWindow;
        var key = (regarding.Metadata.Uid ?? $"{regarding.Namespace}/{regarding.Name}", kind);
        Outgoing outgoing;
        lock (_series)
        {
            if (_series.TryGetValue(key, out var series) && now - series.LastObserved < window)
            {
                series.Count++;
                series.LastObserved = now;
                metrics.EventSuppressed(kind.Reason);
                if (series.Count > 2)
                {
                    series.Dirty = true; // patched by the next refresh
                    return;
                }
                outgoing = series.Update(); // the second one makes it a series at once, as client-go does
            }
            else
            {
                series = new Series(Build(regarding, kind, note, now), now);
                _series[key] = series;
                if (_series.Count > 10_000)
                {
                    EndFinishedSeries(now);
                }
                outgoing = new Outgoing(series.Event, null);
            }
        }
        if (!_queue.Writer.TryWrite(outgoing))
        {
            metrics.EventDropped(kind.Reason);
        }
    }

    /// <summary>Queues a patch of the count of every series that grew since its last patch; forgets finished ones.</summary>
    internal void RefreshSeries()
    {
        List<Outgoing> updates;
        lock (_series)
        {
            updates = [.. _series.Values.Where(s => s.Dirty).Select(s => s.Update())];
            EndFinishedSeries(time.GetUtcNow());
        }
        foreach (var update in updates)
        {
            if (!_queue.Writer.TryWrite(update))
            {
                metrics.EventDropped(update.Event.Reason);
            }
        }
    }

    // Call with the lock held.
    private void EndFinishedSeries(DateTimeOffset now)
    {
        foreach (var (key, series) in _series.Where(s => !s.Value.Dirty && now - s.Value.LastObserved >= options.Value.EventRepeatWindow).ToList())
        {
            _series.Remove(key);
        }
    }

    internal Eventsv1Event Build(ArkEvent regarding, EventKind kind, string note, DateTimeOffset now)
    {
        // client-go names events <object>.<hex unix nanos>; the random part keeps two replicas' events of one tick apart.
        var nanos = (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        var suffix = $".{nanos:x}{Random.Shared.Next(0x100000):x5}";
        var baseName = regarding.Name.Length + suffix.Length > 253 ? regarding.Name[..(253 - suffix.Length)] : regarding.Name;
        return new Eventsv1Event
        {
            ApiVersion = "events.k8s.io/v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { Name = baseName + suffix, NamespaceProperty = regarding.Namespace },
            EventTime = MicroTime(now),
            Type = kind.Type,
            Reason = kind.Reason,
            Action = kind.Action,
            Note = Note(note),
            ReportingController = ArkonisNames.ReportingController,
            ReportingInstance = Truncate(options.Value.PodName, 128),
            Regarding = new V1ObjectReference
            {
                ApiVersion = ArkEvent.ApiVersionValue,
                Kind = ArkEvent.KindName,
                Name = regarding.Name,
                NamespaceProperty = regarding.Namespace,
                Uid = regarding.Metadata.Uid,
                ResourceVersion = regarding.Metadata.ResourceVersion,
            },
        };
    }

    /// <summary>
    /// A MicroTime needs its fraction on the wire (the API server parses RFC 3339 with microseconds), but the
    /// client writes a whole second without one; nudge such instants by one microsecond.
    /// </summary>
    internal static DateTime MicroTime(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        var micro = new DateTime(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);
        return micro.Ticks % TimeSpan.TicksPerSecond == 0 ? micro.AddTicks(10) : micro;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var refresh = RefreshAsync(stoppingToken);
        try
        {
            await foreach (var outgoing in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await SendAsync(outgoing, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await refresh;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // The counts since the last refresh: written now, or a rollout would lose them.
        RefreshSeries();
        while (!cancellationToken.IsCancellationRequested && _queue.Reader.TryRead(out var outgoing))
        {
            await SendAsync(outgoing, cancellationToken);
        }
    }

    private async Task RefreshAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.EventSeriesRefresh, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                RefreshSeries();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(Outgoing outgoing, CancellationToken cancellationToken)
    {
        var ev = outgoing.Event;
        try
        {
            await _send.ExecuteAsync(
                async token =>
                {
                    if (outgoing.SeriesPatch is { } patch)
                    {
                        await client.EventsV1.PatchNamespacedEventAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch),
                            ev.Metadata.Name, ev.Metadata.NamespaceProperty, fieldManager: options.Value.FieldManager, cancellationToken: token);
                    }
                    else
                    {
                        await client.EventsV1.CreateNamespacedEventAsync(
                            ev, ev.Metadata.NamespaceProperty, fieldManager: options.Value.FieldManager, cancellationToken: token);
                    }
                },
                cancellationToken);
            metrics.EventSent(ev.Reason);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            KubernetesLog.EventNotSent(logger, ev.Reason, ev.Regarding.NamespaceProperty, ev.Regarding.Name, e);
            metrics.EventDropped(ev.Reason);
        }
    }

    /// <summary>
    /// The note within the API server's 1 kB limit, which counts UTF-8 bytes (Go's <c>len</c>), not characters: a
    /// note of validation messages quoting non-ASCII input could pass a character count and still be refused.
    /// </summary>
    internal static string Note(string note)
    {
        const int Limit = 1024;
        if (Encoding.UTF8.GetByteCount(note) <= Limit)
        {
            return note;
        }
        const string Ellipsis = "...";
        var (bytes, chars) = (0, 0);
        foreach (var rune in note.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > Limit - Ellipsis.Length)
            {
                break;
            }
            bytes += rune.Utf8SequenceLength;
            chars += rune.Utf16SequenceLength;
        }
        return note[..chars] + Ellipsis;
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];

    /// <summary>An Event to create, or (with a patch) the series update of one already created.</summary>
    private sealed record Outgoing(Eventsv1Event Event, JsonObject? SeriesPatch);

    /// <summary>One Event and how often it has been seen (call with the recorder's lock held).</summary>
    private sealed class Series(Eventsv1Event ev, DateTimeOffset first)
    {
        public Eventsv1Event Event { get; } = ev;

        public int Count { get; set; } = 1;

        public DateTimeOffset LastObserved { get; set; } = first;

        /// <summary>Counted since the last patch.</summary>
        public bool Dirty { get; set; }

        public Outgoing Update()
        {
            Dirty = false;
            var series = new Eventsv1EventSeries { Count = Count, LastObservedTime = MicroTime(LastObserved) };
            return new Outgoing(Event, new JsonObject { ["series"] = JsonNode.Parse(KubernetesJson.Serialize(series)) });
        }
    }
}
