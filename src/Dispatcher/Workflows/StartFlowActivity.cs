using System.Diagnostics;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Runs;
using Arkonis.Model.Resources;
using Arkonis.Model.Templates;
using Dapr.Workflow;

namespace Arkonis.Dispatcher.Workflows;

/// <summary>Whether the flow runner took the flow.</summary>
public sealed record FlowStartOutcome(bool Accepted, string? Error = null);

/// <summary>
/// What <see cref="StartFlowActivity"/> receives: the fields of a <see cref="FlowStartRequest"/> (a run whose body was
/// small sends exactly that, rendered), or, with <paramref name="Render"/>, the target's templates and references to
/// the run's claim-checked body and output, rendered here. <paramref name="TraceParent"/>/<paramref name="TraceState"/>:
/// the run's trace context (<see cref="RunInput"/>), the parent of the flow start's span.
/// </summary>
public sealed record StartFlowInput(
    string Namespace,
    string Pipeline,
    string RunId,
    string CorrelationId,
    JsonObject? Input,
    string EventName,
    int ChainDepth,
    IDictionary<string, string>? Templates = null,
    DateTimeOffset FiredAt = default,
    JsonNode? Body = null,
    JsonNode? Output = null,
    bool Render = false,
    string? TraceParent = null,
    string? TraceState = null);

/// <summary>
/// Starts one target flow. Transient failures throw (the workflow's retry policy retries them); a definite
/// refusal from the runner is returned as data, so it is not retried. Idempotent through the correlation id.
/// </summary>
public sealed class StartFlowActivity(IFlowRunner runner, IRunPayloads payloads, ILogger<StartFlowActivity> logger)
    : WorkflowActivity<StartFlowInput, FlowStartOutcome>
{
    public override async Task<FlowStartOutcome> RunAsync(WorkflowActivityContext context, StartFlowInput input)
    {
        // Activities run on the workflow worker, outside the scope of the fire that started the run.
        using var scope = logger.BeginEventScope(input.Namespace, input.EventName, input.RunId);
        using var span = RunTracing.StartFlowStart(
            input.TraceParent, input.TraceState, input.Namespace, input.EventName, input.RunId, input.Pipeline);
        try
        {
            var outcome = await StartAsync(input);
            if (!outcome.Accepted)
            {
                span?.SetStatus(ActivityStatusCode.Error, "refused");
            }
            span?.SetTag(DispatcherTracing.OutcomeTag, outcome.Accepted ? "started" : "refused");
            return outcome;
        }
        catch (Exception e)
        {
            // Transient: the workflow's retry policy starts this activity (and a new span) again.
            span.Failed(e);
            throw;
        }
    }

    private async Task<FlowStartOutcome> StartAsync(StartFlowInput input)
    {
        var flowInput = input.Input ?? [];
        if (input.Render)
        {
            var (body, bodyMissing) = await PayloadRefs.ResolveAsync(payloads, input.Body, CancellationToken.None);
            var (output, outputMissing) = await PayloadRefs.ResolveAsync(payloads, input.Output, CancellationToken.None);
            if (bodyMissing || outputMissing)
            {
                var error = "The run's stored trigger payload is gone from the state store (expired or deleted); the flow was not started.";
                logger.FlowRejected(input.Namespace, input.Pipeline, input.RunId, error);
                return new FlowStartOutcome(false, error);
            }
            flowInput = TargetInput.Build(
                new EventTarget { Pipeline = input.Pipeline, Input = input.Templates },
                new TemplateContext(input.EventName, input.Namespace, input.FiredAt, body, output));
        }
        var request = new FlowStartRequest(
            input.Namespace, input.Pipeline, input.RunId, input.CorrelationId, flowInput, input.EventName, input.ChainDepth);
        try
        {
            await runner.StartAsync(request, CancellationToken.None);
            logger.FlowStarted(input.Namespace, input.Pipeline, input.RunId);
            return new FlowStartOutcome(true);
        }
        catch (FlowStartRejectedException e)
        {
            logger.FlowRejected(input.Namespace, input.Pipeline, input.RunId, e.Message);
            return new FlowStartOutcome(false, e.Message);
        }
    }
}
