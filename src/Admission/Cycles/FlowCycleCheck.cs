using System.Globalization;
using Arkonis.Admission.Hosting;
using Arkonis.Admission.Observability;
using Arkonis.Model.Resources;
using Arkonis.Model.Validation;
using Microsoft.Extensions.Options;

namespace Arkonis.Admission.Cycles;

/// <summary>What the cycle check found: a loop, a reason it could not look, or nothing.</summary>
internal sealed record CycleCheckOutcome(FieldProblem? Problem, string? Warning)
{
    public static readonly CycleCheckOutcome None = new(null, null);
}

/// <summary>
/// Refuses a flow-output event that would close a loop through other ArkEvents of its namespace.
/// The API server gets a short deadline: when it cannot answer in time the event is allowed with a
/// warning, because blocking every apply on a slow API server is worse than a loop the dispatcher
/// would also detect at run time.
/// </summary>
internal sealed class FlowCycleCheck(
    IArkEventLister lister,
    IOptions<AdmissionOptions> options,
    AdmissionMetrics metrics,
    TimeProvider time,
    ILogger<FlowCycleCheck> logger)
{
    public async Task<CycleCheckOutcome> CheckAsync(ArkEvent candidate, string ns, CancellationToken cancellationToken)
    {
        if (candidate.Spec.Source?.Type != SourceTypes.FlowOutput || string.IsNullOrEmpty(candidate.Spec.Source.Flow))
        {
            return CycleCheckOutcome.None;
        }

        var timeout = options.Value.CycleCheckTimeout;
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        IReadOnlyList<ArkEvent> events;
        try
        {
            // WaitAsync also bounds an adapter that ignores its token.
            events = await lister.ListAsync(ns, linked.Token).WaitAsync(timeout, time, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.CycleCheckTimedOut(logger, timeout.TotalMilliseconds);
            metrics.RecordCycleCheck("timeout");
            return new CycleCheckOutcome(null, string.Create(CultureInfo.InvariantCulture, $"could not check for flow-output cycles: the API server did not answer within {timeout.TotalSeconds:0.#}s"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.CycleCheckFailed(logger, ex.GetType().Name, ex.Message);
            metrics.RecordCycleCheck("unavailable");
            return new CycleCheckOutcome(null, "could not check for flow-output cycles: " + ex.Message);
        }

        // On UPDATE the stored copy of this very event is in the list; FindCycle ignores it (the candidate replaces it).
        var problem = KubernetesCauses.From(new FlowCycleValidator(events).Validate(candidate)).Problems is [var loop, ..] ? loop : null;
        metrics.RecordCycleCheck(problem is null ? "clear" : "loop");
        return new CycleCheckOutcome(problem, null);
    }
}
