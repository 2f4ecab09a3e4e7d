using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Kubernetes.Events;
using Arkonis.Dispatcher.Kubernetes.Watching;
using k8s.Autorest;
using Arkonis.Model.Json;
using Arkonis.Model.Resources;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using Polly;

namespace Arkonis.Dispatcher.Kubernetes.Status;

/// <summary>
/// Every write to an ArkEvent's status goes through here, always to the status subresource.
/// <para>
/// Counters (<c>firedCount</c>, <c>lastFiredAt</c>, <c>lastRun</c>) are read-modify-write and every replica fires, so a
/// merge patch alone would lose increments (the original's weak spot 11): two replicas both read 4 and both write 5.
/// Instead: (1) in this replica, changes to one event queue in a per-event mailbox and are applied in batches by one
/// writer at a time, so 50 concurrent fires become a handful of patches; (2) across replicas each patch is a JSON
/// Patch that starts with <c>test /metadata/resourceVersion</c>, a compare-and-swap: if anyone wrote the object since
/// we read it the server refuses the patch (422) and we re-read and re-apply. No count is lost or doubled; a patch that
/// was written but whose answer was lost is recognised on the re-read (unless another write came in between).
/// </para>
/// <para>
/// A 422 is also what the server answers when the schema refuses the new status (the patch applied, the result is
/// invalid). The two are told apart on the re-read: if the object is still at the version the <c>test</c> named, the
/// test passed and the status itself was refused. That is final: trying again would write the same status, so it is
/// logged and reported as a Warning Event instead of being retried as a lost race.
/// </para>
/// <para>
/// The reconciler's fields (URL, conditions, observedGeneration, nextFireAt) are computed from the spec, not
/// accumulated, so they go as a plain JSON merge patch of just those fields.
/// </para>
/// </summary>
internal sealed class ArkEventStatusWriter(
    IKubernetes client,
    ArkEventCatalog catalog,
    IOptions<KubernetesModeOptions> options,
    TimeProvider time,
    KubernetesModeMetrics metrics,
    KubernetesEventRecorder events,
    ILogger<ArkEventStatusWriter> logger) : IDisposable
{
    // With backoff capped at MaxBackoff (30 s by default), this rides out an API server outage of several minutes.
    private const int MaxAttempts = 40;
    private readonly ConcurrentDictionary<(string Namespace, string Name), Mailbox> _mailboxes = new();

    // Writes run in the background, after the fire that queued them has answered: they stop when the writer is disposed.
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Up to <see cref="MaxAttempts"/> tries of one batch; each try is one compare-and-swap and says how long to wait after it.</summary>
    private readonly ResiliencePipeline<Try> _retry = KubernetesRetry.WhileOutcome<Try>(
        last => last.Outcome is not (Attempt.Done or Attempt.Refused), args => args.Outcome.Result.RetryAfter, time, MaxAttempts - 1);

    /// <summary>Queues a change; the task completes when it is written (or given up on, which is logged).</summary>
    public Task Enqueue(string @namespace, string name, StatusChange change)
    {
        var pending = new Pending(change, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        while (true)
        {
            var mailbox = _mailboxes.GetOrAdd((@namespace, name), _ => new Mailbox());
            lock (mailbox)
            {
                if (mailbox.Closed)
                {
                    continue;
                }
                mailbox.Items.Add(pending);
                if (!mailbox.Running)
                {
                    mailbox.Running = true;
                    _ = Task.Run(() => DrainAsync(@namespace, name, mailbox));
                }
            }
            return pending.Done.Task;
        }
    }

    // Cancelled, not disposed: a drain still running reads its token.
    public void Dispose() => _stopping.Cancel();

    /// <summary>Applies the reconciler's merge patch (<c>{"status":{...}}</c>) through the status subresource.</summary>
    public async Task<ArkEvent> PatchReconciledAsync(ArkEvent arkEvent, JsonObject mergePatch, CancellationToken cancellationToken)
    {
        var updated = await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(mergePatch.ToJsonString(), V1Patch.PatchType.MergePatch),
            ArkonisNames.Group, ArkonisNames.Version, arkEvent.Namespace, ArkonisNames.ArkEvents, arkEvent.Name,
            fieldManager: options.Value.FieldManager, cancellationToken: cancellationToken);
        metrics.StatusPatched("reconcile");
        return KubernetesJson.Deserialize<ArkEvent>((JsonElement)updated);
    }

    private async Task DrainAsync(string @namespace, string name, Mailbox mailbox)
    {
        while (true)
        {
            List<Pending> batch;
            lock (mailbox)
            {
                if (mailbox.Items.Count == 0)
                {
                    mailbox.Running = false;
                    mailbox.Closed = true;
                    _mailboxes.TryRemove(new KeyValuePair<(string, string), Mailbox>((@namespace, name), mailbox));
                    return;
                }
                batch = [.. mailbox.Items];
                mailbox.Items.Clear();
            }
            try
            {
                await ApplyAsync(@namespace, name, batch.Select(p => p.Change).ToList(), _stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // Shutting down: what is left is not written by this replica.
            }
            catch (Exception e)
            {
                KubernetesLog.StatusNotWritten(logger, @namespace, name, batch.Count, e);
            }
            foreach (var pending in batch)
            {
                pending.Done.TrySetResult();
            }
        }
    }

    private async Task ApplyAsync(string @namespace, string name, IReadOnlyList<StatusChange> changes, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginEventScope(@namespace, name);
        // The catalog's copy is usually current: try it first, read from the server after a lost race.
        var state = new ApplyState(@namespace, name, changes) { Current = catalog.Find(@namespace, name)?.Event };
        var last = await _retry.ExecuteAsync(async token =>
        {
            var outcome = await TryOnceAsync(state, token);
            return new Try(outcome, DelayAfter(outcome, state));
        }, cancellationToken);
        if (last.Outcome == Attempt.Refused)
        {
            KubernetesLog.StatusRefused(logger, @namespace, name, state.Changes.Count, state.Refusal ?? string.Empty);
            if (state.Current is { } refused)
            {
                events.Record(refused, EventKind.StatusRefused, $"the API server refused the status update: {state.Refusal}");
            }
            return;
        }
        if (last.Outcome != Attempt.Done)
        {
            throw new InvalidOperationException($"gave up after {MaxAttempts} attempts (conflicts or an unreachable API server)");
        }
    }

    /// <summary>How long to wait before the next try, by what the last one ended in.</summary>
    private TimeSpan DelayAfter(Attempt outcome, ApplyState state) => outcome switch
    {
        // The API server is away or overloaded: keep the changes and try again (a count is never dropped lightly).
        Attempt.Unavailable => KubernetesRetry.Backoff(state.Unavailable++, options.Value),
        // Back off a little, with jitter, so two replicas racing on one event do not stay in step.
        Attempt.LostRace => TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * Math.Min(state.Tries, 10))),
        _ => TimeSpan.Zero,
    };

    /// <summary>One compare-and-swap: (re-)read the object when needed, apply the changes to its status, write them.</summary>
    private async Task<Attempt> TryOnceAsync(ApplyState state, CancellationToken cancellationToken)
    {
        state.Tries++;
        if (state.Current is null || state.Tries > 1)
        {
            state.FromServer = true;
            var read = await ReadAsync(state, cancellationToken);
            if (read is not null)
            {
                return read.Value;
            }
            if (state.RefusedAt is { } tested && state.Current!.Metadata.ResourceVersion == tested)
            {
                return Attempt.Refused; // the resourceVersion test held, so the 422 was about the status itself
            }
            state.RefusedAt = null;
        }
        var current = state.Current!;
        var before = current.Status is null ? null : JsonNode.Parse(KubernetesJson.Serialize(current.Status))!.AsObject();
        if (state.Unconfirmed is not null && state.FromServer && JsonNode.DeepEquals(before, state.Unconfirmed))
        {
            return Attempt.Done; // our patch landed; only its answer was lost
        }
        var after = Applied(before, state.Changes);
        var ops = StatusPatch(before, after);
        if (ops.Count == 0 && state.FromServer)
        {
            return Attempt.Done;
        }
        if (ops.Count == 0)
        {
            // Nothing to do against the catalog's copy, which can lag behind the server (the watch is late, or another
            // replica wrote since): a completion for the run that copy does not know yet would be dropped. Re-read.
            state.Current = null;
            return Attempt.Reread;
        }
        ops.Insert(0, new JsonObject { ["op"] = "test", ["path"] = "/metadata/resourceVersion", ["value"] = current.Metadata.ResourceVersion });
        return await WriteAsync(state, ops, after, current.Metadata.ResourceVersion, cancellationToken);
    }

    /// <summary>Reads the object from the server into <paramref name="state"/>; an outcome only when there is nothing to apply to.</summary>
    private async Task<Attempt?> ReadAsync(ApplyState state, CancellationToken cancellationToken)
    {
        try
        {
            var fresh = (JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync(
                ArkonisNames.Group, ArkonisNames.Version, state.Namespace, ArkonisNames.ArkEvents, state.Name, cancellationToken: cancellationToken);
            state.Current = KubernetesJson.Deserialize<ArkEvent>(fresh);
            return null;
        }
        catch (Exception e) when (KubernetesErrors.IsNotFound(e))
        {
            return Attempt.Done;
        }
        catch (Exception e) when (KubernetesErrors.IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            return Attempt.Unavailable;
        }
    }

    /// <summary>Sends the JSON Patch (which starts with the resourceVersion test) to the status subresource.</summary>
    private async Task<Attempt> WriteAsync(ApplyState state, JsonArray ops, JsonObject after, string? tested, CancellationToken cancellationToken)
    {
        try
        {
            await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
                new V1Patch(ops.ToJsonString(), V1Patch.PatchType.JsonPatch),
                ArkonisNames.Group, ArkonisNames.Version, state.Namespace, ArkonisNames.ArkEvents, state.Name,
                fieldManager: options.Value.FieldManager, cancellationToken: cancellationToken);
            metrics.StatusPatched("runs");
            return Attempt.Done;
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == System.Net.HttpStatusCode.UnprocessableEntity)
        {
            // A failed test (lost race) or a refused status: the re-read tells which.
            state.RefusedAt = tested;
            state.Refusal = KubernetesErrors.Message(e) ?? e.Message;
            metrics.StatusConflict();
            return Attempt.LostRace;
        }
        catch (Exception e) when (KubernetesErrors.IsLostRace(e))
        {
            metrics.StatusConflict();
            return Attempt.LostRace;
        }
        catch (Exception e) when (KubernetesErrors.IsNotFound(e))
        {
            return Attempt.Done;
        }
        catch (Exception e) when (KubernetesErrors.IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            // The write may have landed with only its answer lost: seeing exactly this status on the next read means it did.
            state.Unconfirmed = after;
            return Attempt.Unavailable;
        }
    }

    /// <summary>The status after the changes, as JSON.</summary>
    private static JsonObject Applied(JsonObject? before, IReadOnlyList<StatusChange> changes)
    {
        var next = before is null ? new ArkEventStatus() : KubernetesJson.Deserialize<ArkEventStatus>(before);
        foreach (var change in changes)
        {
            change.ApplyTo(next);
        }
        return JsonNode.Parse(KubernetesJson.Serialize(next))!.AsObject();
    }

    /// <summary>The operations that turn the object's status <paramref name="before"/> into <paramref name="after"/> (a missing status is added whole).</summary>
    private static JsonArray StatusPatch(JsonObject? before, JsonObject after) =>
        JsonPatchDiff.ToJsonArray(JsonPatchDiff.Diff(
            before is null ? new JsonObject() : new JsonObject { ["status"] = before.DeepClone() },
            new JsonObject { ["status"] = after.DeepClone() }));

    private sealed record Pending(StatusChange Change, TaskCompletionSource Done);

    /// <summary>A try's outcome and the wait before the next try, if there is one.</summary>
    private readonly record struct Try(Attempt Outcome, TimeSpan RetryAfter);

    /// <summary>What one try of a batch ends in.</summary>
    private enum Attempt
    {
        Done,
        Unavailable,
        LostRace,
        Reread,

        /// <summary>The server refused the status itself (422 with the resourceVersion test holding): final.</summary>
        Refused,
    }

    /// <summary>One batch being written: the object as last read, and whether that read came from the server.</summary>
    private sealed class ApplyState(string @namespace, string name, IReadOnlyList<StatusChange> changes)
    {
        public string Namespace { get; } = @namespace;

        public string Name { get; } = name;

        public IReadOnlyList<StatusChange> Changes { get; } = changes;

        public ArkEvent? Current { get; set; }

        public bool FromServer { get; set; }

        /// <summary>
        /// The status our last patch would have produced, when that patch failed in a way that may still have applied it
        /// (a timeout or a 5xx after the write): seeing exactly it on the server means it did, and applying again would count twice.
        /// </summary>
        public JsonObject? Unconfirmed { get; set; }

        public int Tries { get; set; }

        /// <summary>The resourceVersion a patch answered 422 had tested: if the re-read finds it unchanged, the status was refused.</summary>
        public string? RefusedAt { get; set; }

        /// <summary>The server's message of the last 422.</summary>
        public string? Refusal { get; set; }

        /// <summary>How many tries found the API server unavailable: the backoff grows with these only.</summary>
        public int Unavailable { get; set; }
    }

    private sealed class Mailbox
    {
        public List<Pending> Items { get; } = [];

        public bool Running { get; set; }

        public bool Closed { get; set; }
    }
}
