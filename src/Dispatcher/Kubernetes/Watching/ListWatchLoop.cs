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
/// </summary>
internal sealed class ListWatchLoop(IKubernetes client, IOptions<KubernetesModeOptions> settings, TimeProvider time, ILogger<ListWatchLoop> logger)
{
    private readonly KubernetesModeOptions _options = settings.Value;

    public async Task RunAsync(WatchScope scope, IListWatchHandler handler, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(_options.MinBackoff, _options.MaxBackoff);
        string? resourceVersion = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var delivered = false;
            try
            {
                if (resourceVersion is null)
                {
                    resourceVersion = await ListAsync(scope, handler, cancellationToken);
                    KubernetesLog.Listed(logger, scope.ToString(), resourceVersion);
                    backoff.Reset();
                }

                var expired = false;
                // The server ends every watch after timeoutSeconds; silence well past that means a dead connection.
                using var guard = new CancellationTokenSource(_options.WatchTimeout + TimeSpan.FromSeconds(30), time);
                using var watchCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, guard.Token);
                var events = Watch(scope, resourceVersion, onError: ex =>
                {
                    if (ex is KubernetesException { Status.Code: (int)HttpStatusCode.Gone })
                    {
                        expired = true;
                    }
                    else
                    {
                        KubernetesLog.WatchStreamError(logger, scope.ToString(), ex);
                    }
                }, watchCancellation.Token);
                await foreach (var (type, obj) in events.WithCancellation(watchCancellation.Token))
                {
                    var item = (JsonElement)obj;
                    resourceVersion = ResourceVersionOf(item) ?? resourceVersion;
                    delivered = true;
                    if (type is WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted)
                    {
                        await handler.OnEventAsync(scope, type, item, cancellationToken);
                    }
                }
                if (expired)
                {
                    KubernetesLog.WatchExpired(logger, scope.ToString(), resourceVersion);
                    resourceVersion = null;
                    continue;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                KubernetesLog.WatchStalled(logger, scope.ToString(), resourceVersion);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Gone)
            {
                KubernetesLog.WatchExpired(logger, scope.ToString(), resourceVersion);
                resourceVersion = null;
                continue;
            }
            catch (HttpRequestException e) when (e.InnerException is EndOfStreamException)
            {
                // The client peeks the first line: a watch that closes with no event at all ends up here.
            }
            catch (Exception e)
            {
                KubernetesLog.ListWatchFailed(logger, scope.ToString(), e);
            }

            if (delivered)
            {
                backoff.Reset();
                continue;
            }
            // Nothing came through: the server is away, slow or closing at once. Wait before trying again.
            try
            {
                await Task.Delay(backoff.Next(), time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
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
}

/// <summary>Exponential backoff with jitter (a random half to full of the current step).</summary>
internal sealed class Backoff(TimeSpan min, TimeSpan max)
{
    private int _attempt;

    public TimeSpan Next()
    {
        var step = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt, 30)));
        _attempt++;
        return TimeSpan.FromMilliseconds(step * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    public void Reset() => _attempt = 0;
}
