using System.Text.Json.Nodes;

namespace Arkonis.Samples.FlowRunner;

/// <summary>The body of <c>POST /flows/{namespace}/{pipeline}/runs</c> (the flow-runner contract).</summary>
public sealed record FlowRunRequest(string? RunId, JsonObject? Input, string? CorrelationId, string? EventName = null, int ChainDepth = 0);

/// <summary>The 202 answer: the flow run this request started (or had started already).</summary>
public sealed record FlowRunAccepted(string FlowRunId, string CorrelationId, bool Duplicate);

/// <summary>The data of a <c>flow-completed</c> message (ArkEvent DESIGN §3).</summary>
/// <remarks><c>TraceParent</c>/<c>TraceState</c>: the W3C trace context the run was started with, echoed back (optional).</remarks>
public sealed record FlowCompletedMessage(
    string Namespace,
    string Flow,
    string RunId,
    string Phase,
    JsonNode? Output,
    string? Error,
    DateTimeOffset CompletedAt,
    string? CorrelationId,
    int? ChainDepth,
    string? TraceParent = null,
    string? TraceState = null);

/// <summary>Sends a completion to the <c>flow-completed</c> topic.</summary>
public interface IFlowCompletedPublisher
{
    Task PublishAsync(FlowCompletedMessage message, CancellationToken cancellationToken);
}

/// <summary>How the sample "runs" flows.</summary>
public sealed record FlowRunnerSampleOptions
{
    public const string SectionName = "FlowRunner";

    /// <summary>How long a flow takes unless its input says <c>_delayMs</c>.</summary>
    public TimeSpan DefaultDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How many finished runs' correlation ids are kept to dedupe a repeated start; older ones are forgotten.</summary>
    public int FinishedRunsRemembered { get; init; } = 10_000;

    /// <summary>The pub/sub component and topic completions go to.</summary>
    public string PubSubName { get; init; } = "arkevent-pubsub";

    public string Topic { get; init; } = "flow-completed";

    /// <summary>The sidecar to publish through, when not this app's own (see <c>AddDaprCompletionPublisher</c>).</summary>
    public string? PublishGrpcEndpoint { get; init; }
}

/// <summary>The W3C trace context a flow run was started with (<c>traceparent</c>, <c>tracestate</c> headers).</summary>
public sealed record FlowTrace(string? TraceParent, string? TraceState);
