using Arkonis.Dispatcher.Triggers.Concurrency;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Runs;
using Arkonis.Model.Resources;
using Arkonis.Model.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Triggers.Cron;

/// <summary>What one tick did.</summary>
public sealed record CronTickResult(int Started, int AlreadyExisted, int Skipped, int Failed, TimeSpan Evaluation, bool Overlapped = false)
{
    public static readonly CronTickResult Busy = new(0, 0, 0, 0, TimeSpan.Zero, Overlapped: true);
}

/// <summary>
/// One clock tick (the <c>arkevent-cron</c> binding): decide what is due, apply each event's concurrency policy, launch
/// with the occurrence's deterministic run id, report fires and skips, and move the shared checkpoint forward.
/// The time comes from the injected <see cref="TimeProvider"/>, never from the tick's own headers.
/// </summary>
public sealed partial class CronTicker(
    CronEvaluator evaluator,
    ConcurrencyGate gate,
    IRunLauncher launcher,
    ITriggerActivity activity,
    ICronCheckpointStore checkpoints,
    TriggerMetrics metrics,
    TimeProvider time,
    IOptions<CronTriggerOptions> options,
    IOptions<SidecarOptions> sidecar,
    ILogger<CronTicker> logger) : IDisposable
{
    private readonly CronTriggerOptions _options = options.Value;
    private readonly TimeSpan _callTimeout = sidecar.Value.CallTimeout;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private bool _restored;
    private DateTimeOffset _schedulesSavedAt = DateTimeOffset.MinValue;

    public async Task<CronTickResult> TickAsync(CancellationToken cancellationToken)
    {
        // Ticks that arrive while one is still launching add nothing: the running one evaluates up to its own now.
        if (!await _oneAtATime.WaitAsync(0, cancellationToken))
        {
            return CronTickResult.Busy;
        }
        try
        {
            await RestoreOnceAsync(cancellationToken);

            var started = time.GetTimestamp();
            var now = time.GetUtcNow();
            var evaluation = evaluator.Evaluate(now);
            var evaluationTime = time.GetElapsedTime(started);
            metrics.TickEvaluated(evaluationTime);

            foreach (var skip in evaluation.Skips)
            {
                ReportSkip(skip, now);
            }

            var counts = new int[4]; // started, existed, skipped, failed
            DateTimeOffset? earliestFailed = null;
            var failedLock = new Lock();
            await Parallel.ForEachAsync(
                evaluation.Fires,
                new ParallelOptions { MaxDegreeOfParallelism = _options.LaunchParallelism },
                async (fire, _) =>
                {
                    var outcome = await FireAsync(fire, cancellationToken);
                    Interlocked.Increment(ref counts[(int)outcome]);
                    if (outcome == Outcome.Failed)
                    {
                        lock (failedLock)
                        {
                            earliestFailed = earliestFailed is { } e && e < fire.Scheduled ? e : fire.Scheduled;
                        }
                    }
                });

            // A failed occurrence is retried in memory; the shared watermark stays before it so a restart retries it too.
            var evaluatedThrough = earliestFailed is { } failed && failed <= now ? failed.AddTicks(-1) : now;
            await SaveCheckpointAsync(evaluatedThrough, now, cancellationToken);
            return new CronTickResult(counts[0], counts[1], counts[2] + evaluation.Skips.Count, counts[3], evaluationTime);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public void Dispose() => _oneAtATime.Dispose();

    private enum Outcome
    {
        Started,
        AlreadyExisted,
        Skipped,
        Failed,
    }

    private async Task<Outcome> FireAsync(CronFire fire, CancellationToken cancellationToken)
    {
        var arkEvent = fire.Event;
        var runId = RunIds.ForCron(arkEvent.Namespace, arkEvent.Name, fire.Scheduled);
        using var scope = logger.BeginEventScope(arkEvent.Namespace, arkEvent.Name, runId);
        try
        {
            var verdict = await gate.AdmitAsync(arkEvent, runId, PreviousRunIds(fire), cancellationToken);
            if (!verdict.Proceed)
            {
                LogForbidden(logger, fire.Scheduled, verdict.Blocking);
                metrics.Skipped(SourceTypes.Cron, TriggerSkipReasons.Forbid);
                activity.Skipped(arkEvent, TriggerSkipReasons.Forbid, time.GetUtcNow());
                return Outcome.Skipped;
            }
            foreach (var replaced in verdict.Replaced)
            {
                LogReplaced(logger, replaced);
            }

            var outcome = await launcher.LaunchAsync(
                new FireRequest(runId, arkEvent, new TriggerContext(SourceTypes.Cron, fire.Scheduled)), cancellationToken);
            gate.Record(arkEvent, runId);
            if (outcome == LaunchOutcome.AlreadyExists)
            {
                LogAlreadyExists(logger);
                return Outcome.AlreadyExisted;
            }
            var lateness = time.GetUtcNow() - fire.Scheduled;
            metrics.Fired(SourceTypes.Cron);
            metrics.Late(lateness);
            LogFired(logger, fire.Scheduled, lateness.TotalMilliseconds);
            return Outcome.Started;
        }
        catch (Exception ex)
        {
            // Including a shutdown: the occurrence goes back to the queue and the watermark stays before it.
            LogLaunchFailed(logger, fire.Scheduled, ex.GetType().Name);
            evaluator.Retry(fire);
            return Outcome.Failed;
        }
    }

    /// <summary>The previous occurrence's run may still be going (Forbid/Replace); derived, so it is found after a restart too.</summary>
    private IEnumerable<string> PreviousRunIds(CronFire fire)
    {
        if ((fire.Event.Spec.ConcurrencyPolicy ?? ConcurrencyPolicies.Allow) == ConcurrencyPolicies.Allow)
        {
            return [];
        }
        var previous = fire.PreviousScheduled ?? evaluator.PreviousOccurrence(fire.Event, fire.Scheduled);
        return previous is { } p ? [RunIds.ForCron(fire.Event.Namespace, fire.Event.Name, p)] : [];
    }

    private void ReportSkip(CronSkip skip, DateTimeOffset now)
    {
        metrics.Skipped(SourceTypes.Cron, skip.Reason, skip.Count);
        if (skip.Reason == TriggerSkipReasons.Suspended)
        {
            // The user asked for it: counted, but not an event or status change every time the schedule comes round.
            LogSuspendedSkip(logger, skip.Event.Namespace, skip.Event.Name, skip.Count);
            return;
        }
        activity.Skipped(skip.Event, skip.Reason, now);
        LogSkipped(logger, skip.Event.Namespace, skip.Event.Name, skip.Count, skip.Reason, skip.LatestScheduled);
    }

    private async Task RestoreOnceAsync(CancellationToken cancellationToken)
    {
        if (_restored)
        {
            return;
        }
        _restored = true;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_callTimeout);
            var checkpoint = await checkpoints.LoadAsync(deadline.Token);
            var restored = evaluator.Restore(checkpoint, time.GetUtcNow() + TimeSpan.FromMinutes(2));
            LogRestored(logger, checkpoint.EvaluatedThrough, restored);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Without the checkpoint every event counts as first seen now: no catch-up, and still no double fire.
            LogCheckpointUnavailable(logger, ex.GetType().Name);
        }
    }

    private async Task SaveCheckpointAsync(DateTimeOffset evaluatedThrough, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_callTimeout);
        try
        {
            if (now - _schedulesSavedAt >= _options.ScheduleSaveInterval && evaluator.TakeChangedSchedules() is { } schedules)
            {
                try
                {
                    await checkpoints.SaveSchedulesAsync(schedules, deadline.Token);
                    _schedulesSavedAt = now;
                }
                catch
                {
                    evaluator.MarkSchedulesDirty();
                    throw;
                }
            }
            await checkpoints.AdvanceAsync(evaluatedThrough, deadline.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogCheckpointUnavailable(logger, ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cron occurrence {Scheduled:o} fired, {LatenessMs:F0} ms after its time")]
    private static partial void LogFired(ILogger logger, DateTimeOffset scheduled, double latenessMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cron run exists already (another replica or an earlier tick started it)")]
    private static partial void LogAlreadyExists(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cron occurrence {Scheduled:o} skipped: concurrencyPolicy Forbid and run(s) {Blocking} still active")]
    private static partial void LogForbidden(ILogger logger, DateTimeOffset scheduled, IReadOnlyList<string> blocking);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {Replaced} terminated: concurrencyPolicy Replace")]
    private static partial void LogReplaced(ILogger logger, string replaced);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cron occurrence {Scheduled:o} could not be launched ({Error}); retrying on the next tick")]
    private static partial void LogLaunchFailed(ILogger logger, DateTimeOffset scheduled, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cron ArkEvent {Namespace}/{Name}: {Count} occurrence(s) skipped ({Reason}), latest {Latest:o}")]
    private static partial void LogSkipped(ILogger logger, string @namespace, string name, long count, string reason, DateTimeOffset latest);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cron ArkEvent {Namespace}/{Name} is suspended: {Count} occurrence(s) not fired")]
    private static partial void LogSuspendedSkip(ILogger logger, string @namespace, string name, long count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cron checkpoint loaded: evaluated through {EvaluatedThrough:o}; {Restored} schedule(s) catch up from it")]
    private static partial void LogRestored(ILogger logger, DateTimeOffset? evaluatedThrough, int restored);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cron checkpoint store unavailable ({Error}); fires stay exactly-once through run ids")]
    private static partial void LogCheckpointUnavailable(ILogger logger, string error);
}
