using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Kubernetes.Watching;

/// <summary>Which custom resources a loop lists and watches: one namespace, or all of them (<c>Namespace</c> null).</summary>
internal sealed record WatchScope(string Plural, string? Namespace, string? LabelSelector = null)
{
    public override string ToString() => $"{Plural} in {Namespace ?? "all namespaces"}";
}

/// <summary>Receives what a <see cref="ListWatchLoop"/> sees.</summary>
internal interface IListWatchHandler
{
    /// <summary>A full, fresh listing of the scope: replace whatever was known before.</summary>
    Task OnListedAsync(WatchScope scope, IReadOnlyList<JsonElement> items, CancellationToken cancellationToken);

    /// <summary>One ADDED, MODIFIED or DELETED event (bookmarks are consumed by the loop).</summary>
    Task OnEventAsync(WatchScope scope, WatchEventType type, JsonElement item, CancellationToken cancellationToken);
}

/// <summary>
/// The list-then-watch loop of a Kubernetes informer, for custom resources of <c>arkonis.dev/v1alpha1</c>.
/// Re-watches from the last seen resourceVersion (bookmarks included) when a watch ends; re-lists on 410 Gone,
/// whether it comes as an in-stream ERROR event or as the HTTP status of the watch request; backs off with
/// jitter while the API server is unreachable, leaving the handler's state untouched meanwhile.
/// <para>
/// As client-go's reflector (<c>staging/src/k8s.io/client-go/tools/cache/reflector.go</c>): the resourceVersion moves
/// past an event only once the handler has taken it, so a handler that throws gets the event again on the re-watch;
/// any other in-stream ERROR ends the watch and the loop lists again (with backoff) rather than re-watching the same
/// version forever.
/// </para>
/// </summary>
internal sealed class ListWatchLoop(IKubernetes client, IOptions<KubernetesModeOptions> settings, TimeProvider time, ILogger<ListWatchLoop> logger)
{
    private readonly KubernetesModeOptions _options = settings.Value;

    public async Task RunAsync(WatchScope scope, IListWatchHandler handler, CancellationToken cancellationToken)
    {
        var position = new Position(scope, handler);
        // Nothing came through (the server is away, slow or closing at once), or the round failed: wait before trying again.
        var reopen = KubernetesRetry.WhileOutcome<RoundEnd>(
            end => end is RoundEnd.NothingThrough or RoundEnd.Failed,
            args => KubernetesRetry.Backoff(args.Outcome.Result == RoundEnd.Failed ? position.Errors++ : position.Failures++, _options),
            time);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await reopen.ExecuteAsync(token => new ValueTask<RoundEnd>(RoundAsync(position, token)), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One list (when there is no resourceVersion to watch from) and one watch, until the watch ends.</summary>
    private async Task<RoundEnd> RoundAsync(Position position, CancellationToken cancellationToken)
    {
        var (scope, handler) = (position.Scope, position.Handler);
        var delivered = false;
        var failed = false;
        try
        {
            if (position.ResourceVersion is null)
            {
                position.ResourceVersion = await ListAsync(scope, handler, cancellationToken);
                KubernetesLog.Listed(logger, scope.ToString(), position.ResourceVersion);
                position.Failures = 0;
            }

            var expired = false;
            var streamError = false;
            // The server ends every watch after timeoutSeconds; silence well past that means a dead connection.
            using var guard = new CancellationTokenSource(_options.WatchTimeout + TimeSpan.FromSeconds(30), time);
            using var watchCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, guard.Token);
            var events = Watch(scope, position.ResourceVersion, onError: ex =>
            {
                if (ex is KubernetesException { Status.Code: (int)HttpStatusCode.Gone })
                {
                    expired = true;
                }
                else
                {
                    // Any other ERROR event: the server cannot go on from this version; the reflector lists again.
                    streamError |= ex is KubernetesException;
                    KubernetesLog.WatchStreamError(logger, scope.ToString(), ex);
                }
            }, watchCancellation.Token);
            await foreach (var (type, obj) in events.WithCancellation(watchCancellation.Token))
            {
                var item = (JsonElement)obj;
                delivered = true;
                if (type is WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted)
                {
                    failed = true; // until the handler returns: if it throws, back off before the re-watch delivers the event again
                    await handler.OnEventAsync(scope, type, item, cancellationToken);
                    failed = false;
                }
                // Only now: if the handler threw, the re-watch starts before this event and delivers it again.
                position.ResourceVersion = ResourceVersionOf(item) ?? position.ResourceVersion;
            }
            if (expired)
            {
                return Expired(position);
            }
            if (streamError)
            {
                KubernetesLog.WatchRelisting(logger, scope.ToString(), position.ResourceVersion);
                position.ResourceVersion = null;
                return RoundEnd.Failed;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            KubernetesLog.WatchStalled(logger, scope.ToString(), position.ResourceVersion);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Gone)
        {
            return Expired(position);
        }
        catch (HttpRequestException e) when (e.InnerException is EndOfStreamException)
        {
            // The client peeks the first line: a watch that closes with no event at all ends up here.
        }
        catch (Exception e)
        {
            KubernetesLog.ListWatchFailed(logger, scope.ToString(), e);
        }

        if (failed)
        {
            return RoundEnd.Failed;
        }
        if (delivered)
        {
            position.Failures = 0;
            position.Errors = 0;
            return RoundEnd.Delivered;
        }
        return RoundEnd.NothingThrough;
    }

    /// <summary>410 Gone: the resourceVersion is too old to watch from; list again at once.</summary>
    private RoundEnd Expired(Position position)
    {
        KubernetesLog.WatchExpired(logger, position.Scope.ToString(), position.ResourceVersion);
        position.ResourceVersion = null;
        return RoundEnd.Expired;
    }

    private async Task<string> ListAsync(WatchScope scope, IListWatchHandler handler, CancellationToken cancellationToken)
    {
        var list = scope.Namespace is null
            ? await client.CustomObjects.ListClusterCustomObjectAsync(ArkonisNames.Group, ArkonisNames.Version, scope.Plural,
                labelSelector: scope.LabelSelector, cancellationToken: cancellationToken)
            : await client.CustomObjects.ListNamespacedCustomObjectAsync(ArkonisNames.Group, ArkonisNames.Version, scope.Namespace, scope.Plural,
                labelSelector: scope.LabelSelector, cancellationToken: cancellationToken);
        var element = (JsonElement)list;
        var items = element.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Select(i => i.Clone()).ToList()
            : [];
        await handler.OnListedAsync(scope, items, cancellationToken);
        return ResourceVersionOf(element) ?? "0";
    }

    private IAsyncEnumerable<(WatchEventType, object)> Watch(WatchScope scope, string resourceVersion, Action<Exception> onError, CancellationToken cancellationToken)
    {
        var timeout = (int)_options.WatchTimeout.TotalSeconds;
        return scope.Namespace is null
            ? client.CustomObjects.WatchListClusterCustomObjectAsync(ArkonisNames.Group, ArkonisNames.Version, scope.Plural,
                allowWatchBookmarks: true, labelSelector: scope.LabelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeout,
                onError: onError, cancellationToken: cancellationToken)
            : client.CustomObjects.WatchListNamespacedCustomObjectAsync(ArkonisNames.Group, ArkonisNames.Version, scope.Namespace, scope.Plural,
                allowWatchBookmarks: true, labelSelector: scope.LabelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeout,
                onError: onError, cancellationToken: cancellationToken);
    }

    private static string? ResourceVersionOf(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object
        && item.TryGetProperty("metadata", out var metadata)
        && metadata.TryGetProperty("resourceVersion", out var rv)
        && rv.ValueKind == JsonValueKind.String
            ? rv.GetString()
            : null;

    /// <summary>How one round of list and watch ended.</summary>
    private enum RoundEnd
    {
        Delivered,
        Expired,
        NothingThrough,

        /// <summary>The stream reported an error, or the handler failed: back off, then list (stream) or re-watch (handler).</summary>
        Failed,
    }

    /// <summary>Where a loop stands: the resourceVersion to watch from (none: list first), and failures since the last success.</summary>
    private sealed class Position(WatchScope scope, IListWatchHandler handler)
    {
        public WatchScope Scope { get; } = scope;

        public IListWatchHandler Handler { get; } = handler;

        public string? ResourceVersion { get; set; }

        public int Failures { get; set; }

        /// <summary>Failed rounds since the last clean one; apart from <see cref="Failures"/>, which a successful list resets.</summary>
        public int Errors { get; set; }
    }
}
