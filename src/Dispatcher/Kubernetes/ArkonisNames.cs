using Arkonis.Model.Resources;

namespace Arkonis.Dispatcher.Kubernetes;

/// <summary>
/// The API coordinates, labels and annotations the dispatcher reads and writes in a cluster. The group, version and
/// ArkEvent plural are the model's (<see cref="ArkEvent"/>); only what the dispatcher alone uses is declared here.
/// </summary>
internal static class ArkonisNames
{
    public const string Group = ArkEvent.Group;
    public const string Version = ArkEvent.Version;
    public const string ApiVersion = ArkEvent.ApiVersionValue;
    public const string ArkEvents = ArkEvent.Plural;
    public const string ArkFlows = "arkflows";
    public const string ArkFlowKind = "ArkFlow";

    public const string EventLabel = "arkonis.dev/event";
    public const string PipelineLabel = "arkonis.dev/pipeline";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "arkevent-dispatcher";

    public const string RunIdAnnotation = "arkonis.dev/run-id";
    public const string CorrelationIdAnnotation = "arkonis.dev/correlation-id";
    public const string ChainDepthAnnotation = "arkonis.dev/chain-depth";
    public const string CompletionPublishedAnnotation = "arkonis.dev/completion-published";

    /// <summary>On a run ArkFlow: the W3C trace context of its start, for the flow's own spans and for its completion.</summary>
    public const string TraceParentAnnotation = "arkonis.dev/traceparent";
    public const string TraceStateAnnotation = "arkonis.dev/tracestate";

    /// <summary>Set on an ArkEvent (any new value, e.g. a timestamp) to issue a new webhook token.</summary>
    public const string RotateTokenAnnotation = "arkonis.dev/rotate-token";

    /// <summary>On the token Secret: the rotate-token value the current token was issued for.</summary>
    public const string RotatedForAnnotation = "arkonis.dev/rotated-for";

    public const string ReportingController = "arkonis.dev/arkevent-dispatcher";
}
