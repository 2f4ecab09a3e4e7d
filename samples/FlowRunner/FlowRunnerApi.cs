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
        string @namespace, string pipeline, FlowRunRequest request, FlowRuns runs, HttpRequest http)
    {
        if (string.IsNullOrWhiteSpace(request.CorrelationId) || string.IsNullOrWhiteSpace(request.RunId))
        {
            return TypedResults.Problem(
                title: "runId and correlationId are required.", statusCode: StatusCodes.Status400BadRequest,
                type: "https://arkonis.dev/problems/invalid-flow-run");
        }
        // The caller's W3C trace context goes back with the completion, so the dispatcher can link the two.
        var trace = new FlowTrace(Header(http, "traceparent"), Header(http, "tracestate"));
        var accepted = runs.Accept(@namespace, pipeline, request, trace);
        return TypedResults.Accepted($"/flows/{@namespace}/{pipeline}/runs/{accepted.FlowRunId}", accepted);
    }

    private static string? Header(HttpRequest http, string name) =>
        http.Headers.TryGetValue(name, out var value) && value.Count == 1 && value.ToString() is { Length: > 0 and <= 512 } text ? text : null;

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
