using Microsoft.AspNetCore.Http.HttpResults;

namespace Arkonis.Admission.Reviews;

/// <summary>The one place where a bad request becomes an RFC 9457 problem (with a stable type).</summary>
internal static class AdmissionProblems
{
    private const string TypeBase = "https://arkonis.dev/problems/admission/";

    public static ProblemHttpResult ToProblem(ReviewProblem problem)
    {
        var (status, slug, title) = problem.Kind switch
        {
            ReviewProblemKind.UnsupportedMediaType => (StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported media type"),
            ReviewProblemKind.TooLarge => (StatusCodes.Status413PayloadTooLarge, "too-large", "AdmissionReview too large"),
            ReviewProblemKind.NotJson => (StatusCodes.Status400BadRequest, "malformed-json", "Malformed AdmissionReview"),
            _ => (StatusCodes.Status400BadRequest, "not-an-admission-review", "Not an AdmissionReview"),
        };
        return TypedResults.Problem(detail: problem.Detail, statusCode: status, title: title, type: TypeBase + slug);
    }
}
