using System.Text.Json;
using System.Text.Json.Nodes;
using Arkonis.Admission.Hosting;
using Arkonis.Admission.Reviews;
using Arkonis.Model.Defaulting;
using Arkonis.Model.Json;

namespace Arkonis.Admission.Mutation;

/// <summary>
/// <c>POST /mutate-arkevent</c>: the model's defaulter runs on a typed copy; the patch is the diff from
/// the raw object the apiserver sent to that copy. Changes the typed round trip makes on its own
/// (fields the model does not carry, formatting) are not defaulting and are left out.
/// </summary>
internal sealed class MutatingWebhook(ILogger<MutatingWebhook> logger)
{
    public const string JsonPatchType = "JSONPatch";

    public AdmissionResponse Review(AdmissionRequest request)
    {
        if (!Answers.IsArkEvent(request))
        {
            Log.Misrouted(logger, request.Kind?.Group ?? string.Empty, request.Kind?.Kind ?? string.Empty);
            return Answers.Misrouted(request);
        }

        // A patch on DELETE makes the apiserver fail the request; there is nothing to default there anyway.
        if (!Answers.HasObjectToCheck(request) || request.Object is not { ValueKind: JsonValueKind.Object } json)
        {
            return Answers.Allow(request);
        }

        var read = ArkEventReader.Read(json);
        using var scope = logger.BeginScope(new ReviewScope(request, Answers.NamespaceOf(request, read.Event), Answers.NameOf(request, read.Event)));
        if (read.Event is not { } ev)
        {
            Log.UnreadableObject(logger, request.Operation!, read.Error!);
            return Answers.Allow(request, [$"not defaulted: {read.ErrorField} {read.Error}"]);
        }

        var roundTrip = JsonSerializer.SerializeToNode(ev, ArkEventJsonContext.Default.ArkEvent);
        if (!ArkEventDefaulter.Apply(ev))
        {
            Log.Allowed(logger, request.Operation!, 0);
            return Answers.Allow(request);
        }

        var defaulted = JsonSerializer.SerializeToNode(ev, ArkEventJsonContext.Default.ArkEvent);
        var raw = JsonObject.Create(json);
        var noise = JsonPatchDiff.Diff(raw, roundTrip);
        var operations = JsonPatchDiff.Diff(raw, defaulted).Where(op => !noise.Any(n => SameOperation(n, op))).ToList();
        Log.Allowed(logger, request.Operation!, operations.Count);
        return operations.Count == 0
            ? Answers.Allow(request)
            : new AdmissionResponse
            {
                Uid = request.Uid!,
                Allowed = true,
                Patch = JsonPatchDiff.Serialize(operations),
                PatchType = JsonPatchType,
            };
    }

    private static bool SameOperation(PatchOperation a, PatchOperation b) =>
        a.Op == b.Op && a.Path == b.Path && JsonNode.DeepEquals(a.Value, b.Value);
}
