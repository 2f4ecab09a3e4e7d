using System.Collections.Concurrent;
using System.Text;
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
/// bounded queue (full = dropped and counted). Spam control: an identical event (same object, type, reason,
/// action and note) is dropped when the same one was sent within <see cref="KubernetesModeOptions.EventRepeatWindow"/>.
/// </summary>
internal sealed class KubernetesEventRecorder(
    IKubernetes client,
    IOptions<KubernetesModeOptions> options,
    TimeProvider time,
    KubernetesModeMetrics metrics,
    ILogger<KubernetesEventRecorder> logger) : BackgroundService
{
    private readonly Channel<Eventsv1Event> _queue = Channel.CreateBounded<Eventsv1Event>(
        new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly ConcurrentDictionary<(string Uid, EventKind Kind, string Note), DateTimeOffset> _recent = new();

    // Three tries, 200 then 400 ms apart; a refusal (422 invalid, 409 exists) is final, and so is our own cancellation.
    private readonly ResiliencePipeline _send = new ResiliencePipelineBuilder { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e
                && e is not HttpOperationException { Response.StatusCode: System.Net.HttpStatusCode.UnprocessableEntity or System.Net.HttpStatusCode.Conflict }
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
        var key = (regarding.Metadata.Uid ?? $"{regarding.Namespace}/{regarding.Name}", kind, note);
        if (_recent.TryGetValue(key, out var last) && now - last < window)
        {
            metrics.EventSuppressed(kind.Reason);
            return;
        }
        _recent[key] = now;
        if (_recent.Count > 10_000)
        {
            foreach (var (k, at) in _recent)
            {
                if (now - at >= window)
                {
                    _recent.TryRemove(k, out _);
                }
            }
        }
        if (!_queue.Writer.TryWrite(Build(regarding, kind, note, now)))
        {
            metrics.EventDropped(kind.Reason);
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
        try
        {
            await foreach (var ev in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                await SendAsync(ev, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(Eventsv1Event ev, CancellationToken cancellationToken)
    {
        try
        {
            await _send.ExecuteAsync(
                async token => await client.EventsV1.CreateNamespacedEventAsync(
                    ev, ev.Metadata.NamespaceProperty, fieldManager: options.Value.FieldManager, cancellationToken: token),
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
}
