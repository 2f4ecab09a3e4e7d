using System.Text.Json.Nodes;

namespace Arkonis.Dispatcher.Flows;

/// <summary>Start one target flow of one run.</summary>
/// <param name="Namespace">The namespace of the event and the flow.</param>
/// <param name="Pipeline">The template ArkFlow the run is made from.</param>
/// <param name="RunId">The ArkEvent run this flow belongs to.</param>
/// <param name="CorrelationId">Carried back on the flow's completion message; unique per run and target.</param>
/// <param name="Input">The flow's input (rendered target input, or the webhook body).</param>
/// <param name="EventName">The ArkEvent that fired.</param>
/// <param name="ChainDepth">How many flow-output hops led to this run.</param>
public sealed record FlowStartRequest(
    string Namespace,
    string Pipeline,
    string RunId,
    string CorrelationId,
    JsonObject Input,
    string EventName,
    int ChainDepth);

/// <summary>Starts flows. Locally: Dapr service invocation of a flow-runner app. In a cluster: an ArkFlow made from the template.</summary>
public interface IFlowRunner
{
    /// <summary>Starts the flow; starting the same correlation id twice starts it once.</summary>
    Task StartAsync(FlowStartRequest request, CancellationToken cancellationToken);
}

/// <summary>The data of a <c>flow-completed</c> pub/sub message (DESIGN §3).</summary>
/// <remarks>
/// <c>TraceParent</c>/<c>TraceState</c> (optional): the W3C trace context the flow was started with, echoed back by
/// the flow runner (in a cluster the dispatcher reads it from the ArkFlow's annotation); the completion's span links to it.
/// </remarks>
public sealed record FlowCompleted(
    string Namespace,
    string Flow,
    string RunId,
    string Phase,
    JsonNode? Output,
    string? Error,
    DateTimeOffset CompletedAt,
    string? CorrelationId,
    int? ChainDepth = null,
    string? TraceParent = null,
    string? TraceState = null);
