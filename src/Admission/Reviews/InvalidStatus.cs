using Arkonis.Model.Resources;

namespace Arkonis.Admission.Reviews;

/// <summary>
/// Builds the Status that apimachinery's <c>errors.NewInvalid</c> builds: code 422, reason Invalid,
/// one cause per field error, and the message <c>ArkEvent.arkonis.dev "x" is invalid: [e1, e2]</c>
/// (the aggregate is deduplicated and loses its brackets when one error is left). kubectl then prints
/// its native <c>The ArkEvent "x" is invalid: ...</c> list from the causes.
/// </summary>
internal static class InvalidStatus
{
    private static readonly string QualifiedKind = ArkEvent.KindName + "." + ArkEvent.Group;

    public static AdmissionStatus Create(string name, IReadOnlyList<StatusCause> causes)
    {
        var errors = causes.Select(c => c.Field + ": " + c.Message).Distinct(StringComparer.Ordinal).ToList();
        var message = errors.Count switch
        {
            0 => $"{QualifiedKind} \"{name}\" is invalid",
            1 => $"{QualifiedKind} \"{name}\" is invalid: {errors[0]}",
            _ => $"{QualifiedKind} \"{name}\" is invalid: [{string.Join(", ", errors)}]",
        };
        return new AdmissionStatus
        {
            Code = StatusCodes.Status422UnprocessableEntity,
            Reason = "Invalid",
            Message = message,
            Details = new StatusDetails { Group = ArkEvent.Group, Kind = ArkEvent.KindName, Name = name, Causes = causes },
        };
    }
}
