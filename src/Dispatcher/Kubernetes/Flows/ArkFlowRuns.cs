using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Flows;
using Arkonis.Model.Resources;
using k8s;

namespace Arkonis.Dispatcher.Kubernetes.Flows;

/// <summary>How a run ArkFlow is made from its template: name, spec, input, labels, annotations, owner.</summary>
internal static class ArkFlowRuns
{
    private const int MaxNameLength = 63;
    private const int HashLength = 10;

    /// <summary>
    /// <c>{pipeline}-{10 hex of SHA-256(correlation id)}</c>, at most 63 characters. Deterministic, so a retried
    /// start of the same run and target meets AlreadyExists instead of starting a second flow.
    /// </summary>
    public static string NameFor(string pipeline, string correlationId)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(correlationId)))[..HashLength];
        var prefix = pipeline.Length > MaxNameLength - HashLength - 1 ? pipeline[..(MaxNameLength - HashLength - 1)] : pipeline;
        return $"{prefix.TrimEnd('-', '.')}-{hash}";
    }

    /// <summary>
    /// The new ArkFlow: the template's spec with the rendered input merged into <c>spec.input</c>; the flow start's trace
    /// context, when there is one, in the <c>arkonis.dev/traceparent</c> and <c>arkonis.dev/tracestate</c> annotations.
    /// </summary>
    public static JsonObject Build(
        JsonElement template, FlowStartRequest request, ArkEvent? owner, (string? TraceParent, string? TraceState) trace = default)
    {
        var spec = template.TryGetProperty("spec", out var templateSpec) && templateSpec.ValueKind == JsonValueKind.Object
            ? JsonNode.Parse(templateSpec.GetRawText())!.AsObject()
            : new JsonObject();
        var input = spec["input"] as JsonObject ?? new JsonObject();
        foreach (var (key, value) in request.Input)
        {
            input[key] = AsInputString(value);
        }
        spec["input"] = input;

        var annotations = new JsonObject
        {
            [ArkonisNames.RunIdAnnotation] = request.RunId,
            [ArkonisNames.CorrelationIdAnnotation] = request.CorrelationId,
            [ArkonisNames.ChainDepthAnnotation] = request.ChainDepth.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (trace.TraceParent is { Length: > 0 } traceParent)
        {
            annotations[ArkonisNames.TraceParentAnnotation] = traceParent;
            if (trace.TraceState is { Length: > 0 } traceState)
            {
                annotations[ArkonisNames.TraceStateAnnotation] = traceState;
            }
        }
        var metadata = new JsonObject
        {
            ["name"] = NameFor(request.Pipeline, request.CorrelationId),
            ["namespace"] = request.Namespace,
            ["labels"] = new JsonObject
            {
                [ArkonisNames.EventLabel] = request.EventName,
                [ArkonisNames.PipelineLabel] = request.Pipeline,
                [ArkonisNames.ManagedByLabel] = ArkonisNames.ManagedByValue,
            },
            ["annotations"] = annotations,
        };
        if (owner?.Metadata.Uid is { Length: > 0 })
        {
            metadata["ownerReferences"] = new JsonArray(JsonNode.Parse(KubernetesJson.Serialize(OwnerReferences.To(owner))));
        }
        return new JsonObject
        {
            ["apiVersion"] = ArkonisNames.ApiVersion,
            ["kind"] = ArkonisNames.ArkFlowKind,
            ["metadata"] = metadata,
            ["spec"] = spec,
        };
    }

    /// <summary>ArkFlow input is a map of strings: strings stay as they are, anything else becomes its JSON text.</summary>
    public static string AsInputString(JsonNode? value) => value switch
    {
        null => string.Empty,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => value.ToJsonString(),
    };
}
