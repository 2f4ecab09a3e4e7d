using Arkonis.Model.Resources;
using Arkonis.Model.Validation;

namespace Arkonis.Admission.Reviews;

/// <summary>
/// Builds the Status that apimachinery's <c>errors.NewInvalid</c> builds: code 422, reason Invalid,
/// one cause per field error, and the model's <see cref="KubernetesCauses.InvalidMessage"/> as the message.
/// kubectl then prints its native <c>The ArkEvent "x" is invalid: ...</c> list from the causes.
/// </summary>
internal static class InvalidStatus
{
    public static AdmissionStatus Create(string name, IReadOnlyList<FieldProblem> problems) => new()
    {
        Code = StatusCodes.Status422UnprocessableEntity,
        Reason = "Invalid",
        Message = KubernetesCauses.InvalidMessage(name, problems),
        Details = new StatusDetails
        {
            Group = ArkEvent.Group,
            Kind = ArkEvent.KindName,
            Name = name,
            Causes = problems.Select(static p => new StatusCause(p.Reason, p.Message, p.Field)).ToList(),
        },
    };
}
