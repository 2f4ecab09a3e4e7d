using System.Threading.Channels;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Kubernetes.Events;
using Arkonis.Dispatcher.Kubernetes.Leadership;
using Arkonis.Dispatcher.Kubernetes.Status;
using Arkonis.Dispatcher.Kubernetes.Tokens;
using Arkonis.Model.Resources;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Kubernetes.Reconciler;

/// <summary>
/// Leader only. Brings each ArkEvent's surroundings in line with its spec: the webhook token Secret (issue, rotate,
/// expire the previous token), <c>status.webhookURL</c>, <c>nextFireAt</c>, the Ready condition and
/// <c>observedGeneration</c>. Runs on every catalog change, every <see cref="KubernetesModeOptions.ResyncPeriod"/>,
/// and at the times something is due (a cron occurrence, the end of a rotation grace). Patches only what changed.
/// <para>
/// A reconcile that fails is retried per key with exponential backoff, as client-go's workqueue
/// <c>ItemExponentialFailureRateLimiter</c> (<c>staging/src/k8s.io/client-go/util/workqueue/default_rate_limiters.go</c>):
/// the shared shape of <see cref="KubernetesRetry.Backoff(int, KubernetesModeOptions)"/>, from
/// <see cref="KubernetesModeOptions.MinBackoff"/> doubling to <see cref="KubernetesModeOptions.MaxBackoff"/> (jittered, so a
/// cluster-wide outage does not bring every key back at once), forgotten on the next success. Each failure is a Warning
/// Event (<c>ReconcileError</c>, aggregated by the recorder) and the Ready condition says so (False, <c>ReconcileError</c>).
/// </para>
/// </summary>
internal sealed class ArkEventReconciler(
    LeaderElection leadership,
    ArkEventCatalog catalog,
    WebhookTokenSecrets tokens,
    ArkEventStatusWriter statusWriter,
    KubernetesEventRecorder events,
    IOptions<KubernetesModeOptions> options,
    TimeProvider time,
    ILogger<ArkEventReconciler> logger) : LeaderOnlyService(leadership, time, logger)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Namespace, string Name), string?> _written = new();

    /// <summary>The latest requeue timer per key (a counter): only it adds the key back.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Namespace, string Name), long> _timers = new();

    /// <summary>Consecutive failures per key: the exponent of its backoff.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Namespace, string Name), int> _failures = new();

    protected override async Task RunAsLeaderAsync(CancellationToken cancellationToken)
    {
        _written.Clear();
        _failures.Clear();
        _timers.Clear();
        var queue = new WorkQueue();
        void OnChanged(CatalogChange change)
        {
            var entry = change.After ?? change.Before;
            if (entry is not null)
            {
                queue.Add((entry.Namespace, entry.Name));
            }
        }

        catalog.Changed += OnChanged;
        try
        {
            using var resync = new PeriodicTimer(options.Value.ResyncPeriod, Time);
            _ = ResyncAsync(resync, queue, cancellationToken);
            EnqueueAll(queue);
            await foreach (var key in queue.Reader.ReadAllAsync(cancellationToken))
            {
                queue.Done(key);
                var next = await ReconcileOneAsync(key.Namespace, key.Name, cancellationToken);
                RequeueAt(queue, key, next, cancellationToken);
            }
        }
        finally
        {
            catalog.Changed -= OnChanged;
        }
    }

    /// <summary>Reconciles one event; returns when it wants to be looked at again, if at a particular Time.</summary>
    internal async Task<DateTimeOffset?> ReconcileOneAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var entry = catalog.Find(@namespace, name);
        if (entry is null)
        {
            _written.TryRemove((@namespace, name), out _);
            _failures.TryRemove((@namespace, name), out _);
            return null; // deleted: its Secret and runs go with it (owner references)
        }
        using var scope = Logger.BeginEventScope(@namespace, name);
        var ev = entry.Event;
        if (IsOlderThanOurWrite(ev))
        {
            return null; // the watch has not caught up with our own last status patch; it will trigger us again
        }
        var now = Time.GetUtcNow();
        try
        {
            DateTimeOffset? due = null;
            if (!entry.IsValid)
            {
                events.Record(ev, EventKind.InvalidSpec, string.Join("; ", entry.Problems));
            }
            else if (ev.Spec.Source?.Type == SourceTypes.Webhook)
            {
                due = await ReconcileTokenAsync(ev, name, now, cancellationToken);
            }
            var nextFire = await ReconcileStatusAsync(entry, @namespace, name, now, null, cancellationToken);
            _failures.TryRemove((@namespace, name), out _);
            return Earliest(due, nextFire);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (KubernetesErrors.IsNotFound(e))
        {
            return null;
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response?.StatusCode == System.Net.HttpStatusCode.UnprocessableEntity)
        {
            // The server refused what we wrote (the schema): the same write would be refused again, so this is final
            // until the object changes (or the periodic resync), not a failure to back off from.
            _failures.TryRemove((@namespace, name), out _);
            var message = KubernetesErrors.Message(e) ?? e.Message;
            KubernetesLog.StatusRefused(Logger, @namespace, name, 1, message);
            events.Record(ev, EventKind.StatusRefused, $"the API server refused the update: {message}");
            return null;
        }
        catch (Exception e)
        {
            var failures = _failures.AddOrUpdate((@namespace, name), 1, static (_, n) => n + 1);
            var retryIn = KubernetesRetry.Backoff(failures - 1, options.Value);
            KubernetesLog.ReconcileFailed(Logger, @namespace, name, failures, retryIn, e);
            var problem = Describe(e);
            events.Record(ev, EventKind.ReconcileError, $"reconcile failed: {problem}");
            await ReportFailureAsync(entry, @namespace, name, now, problem, cancellationToken);
            return Time.GetUtcNow() + retryIn;
        }
    }

    /// <summary>Ready=False with reason ReconcileError, if the API server takes it (the failure itself is logged already).</summary>
    private async Task ReportFailureAsync(CatalogEntry entry, string @namespace, string name, DateTimeOffset now, string problem, CancellationToken cancellationToken)
    {
        try
        {
            await ReconcileStatusAsync(entry, @namespace, name, now, new ReadyState(false, ReconcileErrorReason, $"reconcile failed: {problem}"), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            KubernetesLog.ReconcileFailureNotReported(Logger, @namespace, name, e);
        }
    }

    /// <summary>
    /// What failed, without the run-to-run noise of an exception message (request ids, timings), so that the condition
    /// message stays the same while the failure does: the HTTP status and Status reason of an API error, else the type.
    /// </summary>
    private static string Describe(Exception e) => e switch
    {
        k8s.Autorest.HttpOperationException http => $"the API server answered {(int)(http.Response?.StatusCode ?? 0)} {KubernetesErrors.Reason(http) ?? http.Response?.StatusCode.ToString()} to {http.Request?.Method} {http.Request?.RequestUri?.AbsolutePath}",
        HttpRequestException => "the API server could not be reached",
        _ => e.GetType().Name,
    };

    private const string ReconcileErrorReason = "ReconcileError";

    private static readonly TimeSpan AfterOccurrence = TimeSpan.FromSeconds(5);

    /// <summary>Issues, rotates or expires the webhook token and records what happened; returns when to look again, if due.</summary>
    private async Task<DateTimeOffset?> ReconcileTokenAsync(Model.Resources.ArkEvent ev, string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        DateTimeOffset? due = null;
        var token = await tokens.EnsureAsync(ev, cancellationToken);
        switch (token.Outcome)
        {
            case TokenOutcome.Issued:
                events.Record(ev, EventKind.TokenIssued, $"webhook token issued in Secret {WebhookTokenSecrets.SecretName(name)}");
                break;
            case TokenOutcome.Rotated:
                events.Record(ev, EventKind.TokenRotated, $"webhook token rotated; the previous token is accepted until {token.PreviousExpiresAt:O}");
                break;
            case TokenOutcome.PreviousExpired:
                events.Record(ev, EventKind.PreviousTokenExpired, "the previous webhook token expired and was removed");
                break;
            case TokenOutcome.Conflict:
                due = now + options.Value.MinBackoff;
                break;
        }
        return Earliest(due, token.PreviousExpiresAt);
    }

    /// <summary>Patches the status fields computed from the spec when they differ; returns just after the next cron occurrence, if any.</summary>
    private async Task<DateTimeOffset?> ReconcileStatusAsync(
        CatalogEntry entry, string @namespace, string name, DateTimeOffset now, ReadyState? failure, CancellationToken cancellationToken)
    {
        var ev = entry.Event;
        var desired = StatusPlan.For(entry, now, options.Value.WebhookBaseUrl);
        if (failure is not null)
        {
            desired = desired with { Ready = failure };
        }
        if (StatusPlan.MergePatch(ev.Status, desired, now) is { } patch)
        {
            var updated = await statusWriter.PatchReconciledAsync(ev, patch, cancellationToken);
            _written[(@namespace, name)] = updated.Metadata.ResourceVersion;
            // Write through: the next reconcile must not act on the status we just replaced. Not over an object the
            // watch delivered while the patch was in flight: that one may be newer (a spec change), and the watch
            // has moved past it, so replacing it would hide the change until the object changes again. Hence a
            // compare-and-swap inside the catalog's lock: only while it still holds the version we reconciled.
            catalog.ReplaceIfUnchanged(Catalog.ArkEventAssessment.Assess(updated, Time), ev.Metadata.Uid, ev.Metadata.ResourceVersion);
        }
        // The fire moves nextFireAt in its own status write; look again a little after the occurrence only to move it
        // when no fire did (a skipped occurrence), without racing the fire's write.
        return desired.NextFireAt is { } nextFire ? new DateTimeOffset(nextFire, TimeSpan.Zero) + AfterOccurrence : null;
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>
    /// True when the catalog still shows an object older than the one our last status patch produced. Resource
    /// versions are opaque in principle; etcd's are integers, and when one is not, nothing is skipped.
    /// </summary>
    private bool IsOlderThanOurWrite(Model.Resources.ArkEvent ev)
    {
        return _written.TryGetValue((ev.Namespace, ev.Name), out var written)
            && long.TryParse(written, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ours)
            && long.TryParse(ev.Metadata.ResourceVersion, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seen)
            && seen < ours;
    }

    private void EnqueueAll(WorkQueue queue)
    {
        foreach (var entry in catalog.Entries)
        {
            queue.Add((entry.Namespace, entry.Name));
        }
    }

    private async Task ResyncAsync(PeriodicTimer timer, WorkQueue queue, CancellationToken cancellationToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                EnqueueAll(queue);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void RequeueAt(WorkQueue queue, (string, string) key, DateTimeOffset? next, CancellationToken cancellationToken)
    {
        // The latest reconcile of a key says when it is due; a timer set by an earlier one no longer counts (else a
        // key retried early by a change would come back once per stale timer, defeating its backoff).
        var timer = _timers.AddOrUpdate(key, 1, static (_, n) => n + 1);
        if (next is not { } due)
        {
            return;
        }
        var delay = due - Time.GetUtcNow();
        if (delay <= TimeSpan.Zero)
        {
            queue.Add(key);
            return;
        }
        if (delay > options.Value.ResyncPeriod)
        {
            return; // the periodic resync comes first (and a timer cannot wait for a yearly schedule anyway)
        }
        _ = Task.Delay(delay, Time, cancellationToken).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully && _timers.TryGetValue(key, out var latest) && latest == timer)
            {
                queue.Add(key);
            }
        }, TaskScheduler.Default);
    }

    /// <summary>A queue of event keys in which a key waits at most once.</summary>
    private sealed class WorkQueue
    {
        private readonly Channel<(string Namespace, string Name)> _channel = Channel.CreateUnbounded<(string, string)>(new UnboundedChannelOptions { SingleReader = true });
        private readonly HashSet<(string, string)> _waiting = [];

        public ChannelReader<(string Namespace, string Name)> Reader => _channel.Reader;

        public void Add((string Namespace, string Name) key)
        {
            lock (_waiting)
            {
                if (!_waiting.Add(key))
                {
                    return;
                }
            }
            _channel.Writer.TryWrite(key);
        }

        public void Done((string, string) key)
        {
            lock (_waiting)
            {
                _waiting.Remove(key);
            }
        }
    }
}
