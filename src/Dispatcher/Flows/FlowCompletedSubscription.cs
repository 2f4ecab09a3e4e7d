using System.Text.Json;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Model.Resources;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Arkonis.Dispatcher.Flows;

/// <summary>
/// The Dapr subscription to <c>arkevent-pubsub</c> / <c>flow-completed</c>, on the callback port only.
/// Malformed data is dropped (logged), never retried in a loop; an observer failure asks Dapr to redeliver.
/// </summary>
public static class FlowCompletedSubscription
{
    public const string PubSubName = "arkevent-pubsub";
    public const string Topic = "flow-completed";
    public const string Route = "/dapr/flow-completed";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IServiceCollection AddFlowCompletions(this IServiceCollection services)
    {
        services.AddSingleton<IFlowCompletionObserver, RunCompletionRouter>();
        return services;
    }

    public static IEndpointRouteBuilder MapFlowCompletions(this IEndpointRouteBuilder app)
    {
        app.MapSubscribeHandler().RequireCallbackPort();
        app.MapPost(Route, HandleAsync)
            .WithTopic(PubSubName, Topic)
            .RequireCallbackPort()
            .WithName("FlowCompleted")
            .ExcludeFromDescription();
        return app;
    }

    internal static async Task<JsonHttpResult<DaprReply>> HandleAsync(
        HttpRequest request,
        IEnumerable<IFlowCompletionObserver> observers,
        ILogger<FlowCompleted> logger,
        DispatcherMetrics metrics,
        CancellationToken cancellationToken)
    {
        FlowCompleted? completion;
        try
        {
            completion = await JsonSerializer.DeserializeAsync<FlowCompleted>(request.Body, Json, cancellationToken);
        }
        catch (JsonException e)
        {
            logger.CompletionMalformed(e.Message);
            metrics.CompletionReceived("dropped");
            return Reply("DROP");
        }
        if (completion is null || string.IsNullOrEmpty(completion.Namespace) || string.IsNullOrEmpty(completion.Flow) ||
            !FlowPhases.All.Contains(completion.Phase))
        {
            logger.CompletionMalformed("namespace, flow and phase (Succeeded or Failed) are required");
            metrics.CompletionReceived("dropped");
            return Reply("DROP");
        }

        using var scope = logger.BeginCompletionScope(completion.Namespace, completion.Flow, completion.RunId, completion.CorrelationId);
        foreach (var observer in observers)
        {
            try
            {
                await observer.OnFlowCompletedAsync(completion, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.CompletionRetry(observer.GetType().Name, e.GetType().Name, e.Message);
                metrics.CompletionReceived("retry");
                return Reply("RETRY");
            }
        }
        metrics.CompletionReceived("ok");
        return Reply("SUCCESS");
    }

    private static JsonHttpResult<DaprReply> Reply(string status) => TypedResults.Json(new DaprReply(status));

    /// <summary>What Dapr reads from a subscriber's answer: SUCCESS, RETRY or DROP.</summary>
    public sealed record DaprReply(string Status);
}
