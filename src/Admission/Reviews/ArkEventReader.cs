using System.Text.Json;
using Arkonis.Model.Resources;

namespace Arkonis.Admission.Reviews;

/// <summary>The outcome of reading <c>request.object</c> as an ArkEvent.</summary>
internal sealed record ObjectReadResult(ArkEvent? Event, string? ErrorField, string? Error)
{
    public bool Ok => Event is not null;
}

/// <summary>Reads the raw object of a review into the model's typed view (the API client's JSON settings, compiled: <see cref="ArkEventJsonContext"/>).</summary>
internal static class ArkEventReader
{
    /// <summary>A null or absent object reads as an empty ArkEvent, so validation names every required field.</summary>
    public static ObjectReadResult Read(JsonElement? json)
    {
        if (json is not { } node || node.ValueKind == JsonValueKind.Null)
        {
            return new ObjectReadResult(new ArkEvent(), null, null);
        }

        if (node.ValueKind != JsonValueKind.Object)
        {
            return new ObjectReadResult(null, "<object>", "must be a JSON object");
        }

        try
        {
            var ev = node.Deserialize(ArkEventJsonContext.Default.ArkEvent)!;
            ev.Metadata ??= new k8s.Models.V1ObjectMeta();
            ev.Spec ??= new ArkEventSpec();
            return new ObjectReadResult(ev, null, null);
        }
        catch (JsonException ex)
        {
            return new ObjectReadResult(null, FieldPath(ex.Path), "has the wrong type");
        }
        catch (FormatException ex)
        {
            return new ObjectReadResult(null, "<object>", ex.Message);
        }
    }

    /// <summary>Turns System.Text.Json's <c>$.spec.targets[0].pipeline</c> into Kubernetes' <c>spec.targets[0].pipeline</c>.</summary>
    private static string FieldPath(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$")
        {
            return "<object>";
        }

        return jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
    }
}
