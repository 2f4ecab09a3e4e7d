using System.Collections.Concurrent;
using System.Text.Json;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Kubernetes.Leadership;
using Arkonis.Dispatcher.Kubernetes.Watching;
using k8s;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Kubernetes.Completions;

/// <summary>
/// Leader only. Lists and watches the ArkFlows the dispatcher created (label <c>arkonis.dev/event</c>); when one
/// reaches Succeeded or Failed and carries no <c>arkonis.dev/completion-published</c> mark, the
/// <see cref="CompletionBridge"/> publishes its completion; then finished runs past the event's history limits
/// are deleted. A new leader starts from a fresh listing, so completions that finished during the hand-over are
/// published by it, and the marked ones are skipped. A publish or mark that fails is retried with backoff: a finished
/// flow sees no further watch events, so waiting for one could leave its completion unpublished for the whole term.
/// </summary>
internal sealed class FlowRunsController(
    LeaderElection leadership,
    ListWatchLoop loop,
    CompletionBridge bridge,
    ArkEventCatalog catalog,
    IKubernetes client,
    IOptions<KubernetesModeOptions> options,
    TimeProvider time,
    ILogger<FlowRunsController> logger) : LeaderOnlyService(leadership, time, logger), IListWatchHandler
{
    private readonly ConcurrentDictionary<(string Namespace, string Name), ArkFlowRun> _runs = new();

    // Where each flow's completion stands in this term: a watch event may still show the flow unmarked after we marked
    // it, and a retry may run beside the watch handler.
    private readonly ConcurrentDictionary<(string Namespace, string Name), PublishState> _published = new();

    private readonly ConcurrentDictionary<(string Namespace, string Name), Retry> _retries = new();

    private enum PublishState
    {
        Publishing,
        Published,
        Marked,
    }

    private sealed class Retry
    {
        /// <summary>Retries so far: the next one waits the shared backoff for this count.</summary>
        public int Attempts;

        public int Scheduled;
    }

    protected override Task RunAsLeaderAsync(CancellationToken cancellationToken)
    {
        _runs.Clear();
        _published.Clear();
        _retries.Clear();
        var scopes = options.Value.Namespaces.Count == 0
            ? [new WatchScope(ArkonisNames.ArkFlows, null, ArkonisNames.EventLabel)]
            : options.Value.Namespaces.Distinct().Select(ns => new WatchScope(ArkonisNames.ArkFlows, ns, ArkonisNames.EventLabel)).ToList();
        return Task.WhenAll(scopes.Select(scope => loop.RunAsync(scope, this, cancellationToken)));
    }

    public async Task OnListedAsync(WatchScope scope, IReadOnlyList<JsonElement> items, CancellationToken cancellationToken)
    {
        foreach (var key in _runs.Keys.Where(k => scope.Namespace is null || k.Namespace == scope.Namespace))
        {
            _runs.TryRemove(key, out _);
        }
        var runs = items.Select(ArkFlowRun.Parse).ToList();
        foreach (var run in runs)
        {
            _runs[(run.Namespace, run.Name)] = run;
        }
        foreach (var run in runs)
        {
            await PublishIfFinishedAsync(run, cancellationToken);
        }
        foreach (var (ns, ev) in runs.Where(r => r.Event is not null).Select(r => (r.Namespace, r.Event!)).Distinct())
        {
            await PruneAsync(ns, ev, cancellationToken);
        }
    }

    public async Task OnEventAsync(WatchScope scope, WatchEventType type, JsonElement item, CancellationToken cancellationToken)
    {
        var run = ArkFlowRun.Parse(item);
        if (type == WatchEventType.Deleted)
        {
            _runs.TryRemove((run.Namespace, run.Name), out _);
            _published.TryRemove((run.Namespace, run.Name), out _);
            _retries.TryRemove((run.Namespace, run.Name), out _);
            return;
        }
        _runs[(run.Namespace, run.Name)] = run;
        await PublishIfFinishedAsync(run, cancellationToken);
        if (run.Event is not null)
        {
            await PruneAsync(run.Namespace, run.Event, cancellationToken);
        }
    }

    private async Task PublishIfFinishedAsync(ArkFlowRun run, CancellationToken cancellationToken)
    {
        if (!run.IsFinished || run.CompletionPublished || run.CorrelationId is null)
        {
            return;
        }
        var key = (run.Namespace, run.Name);
        try
        {
            if (_published.TryAdd(key, PublishState.Publishing))
            {
                try
                {
                    await bridge.PublishAsync(run, cancellationToken);
                }
                catch
                {
                    _published.TryRemove(key, out _);
                    throw;
                }
                _published[key] = PublishState.Published;
            }
            else if (!_published.TryGetValue(key, out var state) || state != PublishState.Published)
            {
                return; // being published by the other caller (which marks it or retries), or marked already (a stale copy)
            }
            var marked = await bridge.MarkPublishedAsync(run, cancellationToken);
            _published[key] = PublishState.Marked;
            _retries.TryRemove(key, out _);
            _runs[key] = marked;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (KubernetesErrors.IsNotFound(e))
        {
            _runs.TryRemove(key, out _);
            _retries.TryRemove(key, out _);
        }
        catch (Exception e)
        {
            // Left unmarked (and unpublished, if the publish failed): try again after a backoff.
            KubernetesLog.CompletionNotPublished(Logger, run.Namespace, run.Name, e);
            RetryLater(key, cancellationToken);
        }
    }

    /// <summary>Schedules one retry at a time per flow, with the latest copy of the flow this leader has seen.</summary>
    private void RetryLater((string Namespace, string Name) key, CancellationToken cancellationToken)
    {
        var retry = _retries.GetOrAdd(key, _ => new Retry());
        if (Interlocked.Exchange(ref retry.Scheduled, 1) == 1)
        {
            return;
        }
        _ = RetryAsync(key, retry, cancellationToken);
    }

    private async Task RetryAsync((string Namespace, string Name) key, Retry retry, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(KubernetesRetry.Backoff(retry.Attempts++, options.Value), Time, cancellationToken);
            Volatile.Write(ref retry.Scheduled, 0);
            if (_retries.TryGetValue(key, out var current) && current == retry && _runs.TryGetValue(key, out var run))
            {
                await PublishIfFinishedAsync(run, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The term ended: the next leader starts from a fresh listing.
        }
    }

    private async Task PruneAsync(string @namespace, string eventName, CancellationToken cancellationToken)
    {
        var spec = catalog.Find(@namespace, eventName)?.Event.Spec;
        if (spec is null)
        {
            return; // event gone: garbage collection removes its runs through the owner references
        }
        var ofEvent = _runs.Values.Where(r => r.Namespace == @namespace && r.Event == eventName);
        foreach (var run in RunHistory.SelectForDeletion(ofEvent, spec.SuccessfulRunsHistoryLimit, spec.FailedRunsHistoryLimit))
        {
            try
            {
                await client.CustomObjects.DeleteNamespacedCustomObjectAsync(
                    ArkonisNames.Group, ArkonisNames.Version, run.Namespace, ArkonisNames.ArkFlows, run.Name,
                    propagationPolicy: "Background", cancellationToken: cancellationToken);
                KubernetesLog.RunDeleted(Logger, run.Namespace, run.Name, eventName);
            }
            catch (Exception e) when (KubernetesErrors.IsNotFound(e))
            {
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // An HTTP timeout is an OperationCanceledException too, but not the end of the term: go on with the next run.
                KubernetesLog.RunNotDeleted(Logger, run.Namespace, run.Name, e);
                continue;
            }
            _runs.TryRemove((run.Namespace, run.Name), out _);
        }
    }
}
