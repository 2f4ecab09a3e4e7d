using Microsoft.AspNetCore.Http.HttpResults;

namespace Arkonis.Samples.FlowRunner;

/// <summary>The flow-runner contract: <c>POST /flows/{namespace}/{pipeline}/runs</c> with <c>{runId, input, correlationId}</c>.</summary>
public static class FlowRunnerApi
{
    public static IEndpointRouteBuilder MapFlowRunnerApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/flows/{namespace}/{pipeline}/runs", StartRun).WithName("StartFlowRun");
        return app;
    }

    public static Results<Accepted<FlowRunAccepted>, ProblemHttpResult> StartRun(
        string @namespace, string pipeline, FlowRunRequest request, FlowRuns runs)
    {
        if (string.IsNullOrWhiteSpace(request.CorrelationId) || string.IsNullOrWhiteSpace(request.RunId))
        {
            return TypedResults.Problem(
                title: "runId and correlationId are required.", statusCode: StatusCodes.Status400BadRequest,
                type: "https://arkonis.dev/problems/invalid-flow-run");
        }
        var accepted = runs.Accept(@namespace, pipeline, request);
        return TypedResults.Accepted($"/flows/{@namespace}/{pipeline}/runs/{accepted.FlowRunId}", accepted);
    }

    /// <summary>Registers the sample's services; the publisher decides where completions go.</summary>
    public static IServiceCollection AddFlowRuns<TPublisher>(this IServiceCollection services)
        where TPublisher : class, IFlowCompletedPublisher
    {
        services.AddOptions<FlowRunnerSampleOptions>().BindConfiguration(FlowRunnerSampleOptions.SectionName);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IFlowCompletedPublisher, TPublisher>();
        services.AddSingleton<FlowRuns>();
        return services;
    }
}
