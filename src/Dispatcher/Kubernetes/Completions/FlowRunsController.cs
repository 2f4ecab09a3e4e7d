using System.Collections.Concurrent;
using System.Text.Json;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Kubernetes.History;
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
/// published by it, and the marked ones are skipped.
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

    // Published in this term: a watch event may still show the flow unmarked after we marked it.
    private readonly ConcurrentDictionary<(string Namespace, string Name), bool> _published = new();

    protected override Task RunAsLeaderAsync(CancellationToken cancellationToken)
    {
        _runs.Clear();
        _published.Clear();
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
        try
        {
            if (_published.TryAdd((run.Namespace, run.Name), false))
            {
                try
                {
                    await bridge.PublishAsync(run, cancellationToken);
                }
                catch
                {
                    _published.TryRemove((run.Namespace, run.Name), out _);
                    throw;
                }
            }
            else if (_published[(run.Namespace, run.Name)])
            {
                return; // marked already; this is a stale copy from the watch
            }
            var marked = await bridge.MarkPublishedAsync(run, cancellationToken);
            _published[(run.Namespace, run.Name)] = true;
            _runs[(run.Namespace, run.Name)] = marked;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (KubernetesErrors.IsNotFound(e))
        {
            _runs.TryRemove((run.Namespace, run.Name), out _);
        }
        catch (Exception e)
        {
            // Left unmarked: the next event for this flow, or the next listing, tries again.
            KubernetesLog.CompletionNotPublished(Logger, run.Namespace, run.Name, e);
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
            catch (Exception e) when (e is not OperationCanceledException)
            {
                KubernetesLog.RunNotDeleted(Logger, run.Namespace, run.Name, e);
                continue;
            }
            _runs.TryRemove((run.Namespace, run.Name), out _);
        }
    }
}
