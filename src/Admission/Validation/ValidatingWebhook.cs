using System.Text.Json;
using Arkonis.Admission.Cycles;
using Arkonis.Admission.Hosting;
using Arkonis.Admission.Reviews;
using Arkonis.Model.Resources;
using Arkonis.Model.Validation;

namespace Arkonis.Admission.Validation;

/// <summary>
/// <c>POST /validate-arkevent</c>: the model's validator plus the cross-object cycle check, every
/// problem at once, answered as apimachinery's NewInvalid. Never carries a patch.
/// <para>
/// Ratcheting: an UPDATE that leaves the spec as stored (annotations, labels, finalizers, the rotate-token
/// annotation) is allowed without validating it again, as CRD validation ratcheting allows unchanged fields
/// (<c>staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/validation/ratcheting.go</c>): an event admitted
/// under older rules must stay annotatable, rotatable and deletable (finalizers) after the rules tighten. The
/// name cannot change on UPDATE, so the spec is all there is to judge.
/// </para>
/// </summary>
internal sealed class ValidatingWebhook(FlowCycleCheck cycles, TimeProvider time, ILogger<ValidatingWebhook> logger)
{
    private readonly ArkEventValidator _validator = new(time);

    public async Task<AdmissionResponse> ReviewAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (!Answers.IsArkEvent(request))
        {
            Log.Misrouted(logger, request.Kind?.Group ?? string.Empty, request.Kind?.Kind ?? string.Empty);
            return Answers.Misrouted(request);
        }

        if (!Answers.HasObjectToCheck(request))
        {
            return Answers.Allow(request);
        }

        if (LeavesSpecUnchanged(request))
        {
            Log.Ratcheted(logger, request.Namespace ?? string.Empty, request.Name ?? string.Empty);
            return Answers.Allow(request);
        }

        var read = ArkEventReader.Read(request.Object);
        var name = Answers.NameOf(request, read.Event);
        using var scope = logger.BeginScope(new ReviewScope(request, Answers.NamespaceOf(request, read.Event), name));

        if (read.Event is not { } ev)
        {
            Log.UnreadableObject(logger, request.Operation!, read.Error!);
            return Deny(request, name, [new FieldProblem(read.ErrorField!, FieldReasons.Invalid, "Invalid value: " + read.Error)], null);
        }

        // On UPDATE the stored object lets the model judge transitions; an unreadable old object is simply not used.
        var previous = request.Operation == "UPDATE" && request.OldObject is { ValueKind: JsonValueKind.Object } old ? ArkEventReader.Read(old).Event : null;
        var result = _validator.Check(ev, previous);
        var problems = result.Problems.ToList();
        var warnings = result.Warnings.ToList();

        // A loop is only meaningful between well-formed events (and a self-loop is already a target problem):
        // the API server is asked only when the source and the target pipelines are sound. A bad input template
        // does not change the loop, so it is reported together with it.
        var outcome = result.Problems.Any(ObscuresLoops)
            ? CycleCheckOutcome.None
            : await cycles.CheckAsync(ev, Answers.NamespaceOf(request, ev), cancellationToken);
        if (outcome.Problem is { } loop)
        {
            problems.Add(loop);
        }

        if (outcome.Warning is { } warning)
        {
            warnings.Add(warning);
        }

        if (problems.Count > 0)
        {
            Log.Denied(logger, request.Operation!, problems.Count);
            return Deny(request, name, problems, warnings);
        }

        Log.Allowed(logger, request.Operation!, 0);
        return Answers.Allow(request, warnings);
    }

    /// <summary>An UPDATE whose <c>object.spec</c> is, as JSON, the stored <c>oldObject.spec</c> (both absent counts as unchanged).</summary>
    private static bool LeavesSpecUnchanged(AdmissionRequest request) =>
        request.Operation == "UPDATE"
        && request.OldObject is { ValueKind: JsonValueKind.Object } old
        && request.Object is { ValueKind: JsonValueKind.Object } updated
        && old.TryGetProperty("spec", out var oldSpec) == updated.TryGetProperty("spec", out var newSpec)
        && (oldSpec.ValueKind == JsonValueKind.Undefined || JsonElement.DeepEquals(oldSpec, newSpec));

    private static bool ObscuresLoops(FieldProblem problem) =>
        problem.Field.StartsWith("spec.source", StringComparison.Ordinal)
        || (problem.Field.StartsWith("spec.targets", StringComparison.Ordinal) && !problem.Field.Contains(".input", StringComparison.Ordinal));

    private static AdmissionResponse Deny(AdmissionRequest request, string name, IReadOnlyList<FieldProblem> problems, IEnumerable<string>? warnings) => new()
    {
        Uid = request.Uid!,
        Allowed = false,
        Status = InvalidStatus.Create(name, problems),
        Warnings = Answers.Warnings(warnings),
    };
}
