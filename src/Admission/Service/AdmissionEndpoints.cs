using Arkonis.Admission.Hosting;
using Arkonis.Admission.Mutation;
using Arkonis.Admission.Observability;
using Arkonis.Admission.Reviews;
using Arkonis.Admission.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Arkonis.Admission.Service;

/// <summary>The admission surface: the two webhook paths kube-apiserver calls.</summary>
internal static class AdmissionEndpoints
{
    public const string ValidatePath = "/validate-arkevent";
    public const string MutatePath = "/mutate-arkevent";

    public static IEndpointRouteBuilder MapAdmissionApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(ValidatePath, ValidateAsync)
            .WithName("ValidateArkEvent")
            .WithSummary("Validating admission webhook for arkonis.dev/v1alpha1 ArkEvents");
        app.MapPost(MutatePath, MutateAsync)
            .WithName("MutateArkEvent")
            .WithSummary("Mutating (defaulting) admission webhook for arkonis.dev/v1alpha1 ArkEvents");
        return app;
    }

    private static async Task<Results<Ok<AdmissionReview>, ProblemHttpResult>> ValidateAsync(
        HttpRequest http, ValidatingWebhook webhook, AdmissionMetrics metrics, IOptions<AdmissionOptions> options,
        TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var (review, problem) = await AdmissionReviewReader.ReadAsync(http, options.Value.MaxRequestBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return Fail(problem, "validate", metrics, time, started, loggers);
        }

        var response = await webhook.ReviewAsync(review!.Request!, cancellationToken);
        metrics.Record("validate", response.Allowed ? AdmissionResults.Allowed : AdmissionResults.Denied, time.GetElapsedTime(started));
        return TypedResults.Ok(AdmissionReview.Answer(response));
    }

    private static async Task<Results<Ok<AdmissionReview>, ProblemHttpResult>> MutateAsync(
        HttpRequest http, MutatingWebhook webhook, AdmissionMetrics metrics, IOptions<AdmissionOptions> options,
        TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var (review, problem) = await AdmissionReviewReader.ReadAsync(http, options.Value.MaxRequestBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return Fail(problem, "mutate", metrics, time, started, loggers);
        }

        var response = webhook.Review(review!.Request!);
        metrics.Record("mutate", AdmissionResults.Allowed, time.GetElapsedTime(started));
        return TypedResults.Ok(AdmissionReview.Answer(response));
    }

    private static ProblemHttpResult Fail(
        ReviewProblem problem, string operation, AdmissionMetrics metrics, TimeProvider time, long started, ILoggerFactory loggers)
    {
        Log.BadRequest(loggers.CreateLogger(typeof(AdmissionEndpoints)), problem.Detail);
        metrics.Record(operation, AdmissionResults.Error, time.GetElapsedTime(started));
        return AdmissionProblems.ToProblem(problem);
    }
}
