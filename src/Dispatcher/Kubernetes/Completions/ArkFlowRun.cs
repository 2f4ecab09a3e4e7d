using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Flows;
using Arkonis.Model.Resources;

namespace Arkonis.Dispatcher.Kubernetes.Completions;

/// <summary>What the dispatcher reads from an ArkFlow it created (one ArkFlow = one run of one target).</summary>
internal sealed record ArkFlowRun(
    string Namespace,
    string Name,
    string? Event,
    string? Pipeline,
    string? CorrelationId,
    int ChainDepth,
    string? Phase,
    JsonNode? Output,
    string? Error,
    DateTimeOffset? CompletionTime,
    DateTimeOffset? CreationTime,
    bool CompletionPublished,
    string? TraceParent = null,
    string? TraceState = null)
{
    public bool IsFinished => Phase is FlowPhases.Succeeded or FlowPhases.Failed;

    /// <summary>The <c>flow-completed</c> message: <c>flow</c> is the template it was made from, else its own name.</summary>
    public FlowCompleted ToCompletion(DateTimeOffset fallbackCompletedAt) => new(
        Namespace,
        Pipeline ?? Name,
        Name,
        Phase!,
        Output,
        Error,
        CompletionTime ?? fallbackCompletedAt,
        CorrelationId,
        ChainDepth,
        TraceParent,
        TraceState);

    public static ArkFlowRun Parse(JsonElement item)
    {
        var metadata = item.GetProperty("metadata");
        var labels = metadata.TryGetProperty("labels", out var l) ? l : default;
        var annotations = metadata.TryGetProperty("annotations", out var a) ? a : default;
        var status = item.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        _ = int.TryParse(String(annotations, ArkonisNames.ChainDepthAnnotation), NumberStyles.Integer, CultureInfo.InvariantCulture, out var depth);
        var phase = String(status, "phase");
        return new ArkFlowRun(
            String(metadata, "namespace") ?? string.Empty,
            String(metadata, "name") ?? string.Empty,
            String(labels, ArkonisNames.EventLabel),
            String(labels, ArkonisNames.PipelineLabel),
            String(annotations, ArkonisNames.CorrelationIdAnnotation),
            depth,
            phase,
            status.ValueKind == JsonValueKind.Object && status.TryGetProperty("output", out var output) ? OutputOf(output) : null,
            phase == FlowPhases.Failed ? ErrorOf(status) : null,
            Time(status, "completionTime"),
            Time(metadata, "creationTimestamp"),
            String(annotations, ArkonisNames.CompletionPublishedAnnotation) == "true",
            String(annotations, ArkonisNames.TraceParentAnnotation),
            String(annotations, ArkonisNames.TraceStateAnnotation));
    }

    /// <summary>
    /// ark-operator's <c>status.output</c> is a string (the resolved <c>spec.output</c> template). When that string is
    /// a JSON object or array it is passed on parsed, so a chained event can read <c>.trigger.output.field</c>;
    /// any other string is passed on as a string.
    /// </summary>
    internal static JsonNode? OutputOf(JsonElement output)
    {
        if (output.ValueKind == JsonValueKind.Null || output.ValueKind == JsonValueKind.Undefined)
        {
            return null;
        }
        if (output.ValueKind != JsonValueKind.String)
        {
            return JsonNode.Parse(output.GetRawText());
        }
        var text = output.GetString()!;
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length > 0 && (trimmed[0] == '{' || trimmed[0] == '['))
        {
            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                // Looks like JSON but is not: it stays text.
            }
        }
        return JsonValue.Create(text);
    }

    /// <summary>A failed flow's reason: the message of its false Ready condition (ark-operator's StepFailed, TimedOut...).</summary>
    private static string ErrorOf(JsonElement status)
    {
        if (status.ValueKind == JsonValueKind.Object && status.TryGetProperty("conditions", out var conditions) && conditions.ValueKind == JsonValueKind.Array)
        {
            foreach (var condition in conditions.EnumerateArray())
            {
                if (String(condition, "status") == "False")
                {
                    var reason = String(condition, "reason");
                    var message = String(condition, "message");
                    return reason is null ? message ?? "failed" : message is null ? reason : $"{reason}: {message}";
                }
            }
        }
        return "failed";
    }

    private static string? String(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static DateTimeOffset? Time(JsonElement obj, string name) =>
        String(obj, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
}
