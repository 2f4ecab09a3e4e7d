using Arkonis.Hosting;
using Arkonis.Dispatcher.Triggers.Concurrency;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Triggers.Cron;

/// <summary>Wires the cron trigger: the evaluator, the ticker, concurrency policies, the checkpoint, and the binding route.</summary>
public static partial class CronTriggerExtensions
{
    public static IServiceCollection AddCronTrigger(this IServiceCollection services)
    {
        services.AddValidatedOptions<CronTriggerOptions, CronTriggerOptionsValidator>(CronTriggerOptions.Section);
        services.AddDaprClient();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ArkEventCatalog>();
        services.TryAddSingleton<TriggerMetrics>();
        services.TryAddSingleton<IRunStatusSource, DaprWorkflowRunStatusSource>();
        services.TryAddSingleton<RunLedger>();
        services.TryAddSingleton<ConcurrencyGate>();
        services.TryAddSingleton<ICronCheckpointStore, DaprCronCheckpointStore>();
        services.TryAddSingleton<CronEvaluator>();
        services.TryAddSingleton<CronTicker>();
        services.AddHostedService<CronEvaluatorActivation>();
        return services;
    }

    /// <summary>
    /// Maps the Dapr cron binding: <c>OPTIONS /arkevent-cron</c> (daprd asks whether the app takes the binding) and
    /// <c>POST /arkevent-cron</c> (one tick), both only on the callback port (the port the connection arrived on, see
    /// <see cref="PortIsolation"/>), so the public port never serves them.
    /// </summary>
    public static IEndpointRouteBuilder MapCronTrigger(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<CronTriggerOptions>>().Value;
        var route = "/" + options.BindingName;
        var callbacks = endpoints.MapGroup("").RequireCallbackPort().ExcludeFromDescription();
        callbacks.MapMethods(route, [HttpMethods.Options], () => TypedResults.Ok());
        callbacks.MapPost(route, TickAsync);
        return endpoints;
    }

    private static async Task<Ok<CronTickResponse>> TickAsync(CronTicker ticker, IHostApplicationLifetime lifetime)
    {
        // Not the request's token: once a tick has decided what is due, a caller hanging up must not lose the launches.
        var result = await ticker.TickAsync(lifetime.ApplicationStopping);
        return TypedResults.Ok(new CronTickResponse(result.Started, result.AlreadyExisted, result.Skipped, result.Failed, result.Overlapped));
    }

    /// <summary>Builds the evaluator at start, so events are "seen" when they load, not when the first tick arrives.</summary>
    private sealed partial class CronEvaluatorActivation(CronEvaluator evaluator, ILogger<CronEvaluator> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogStarted(logger, evaluator.Count);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Information, Message = "Cron trigger started: {Count} cron event(s) known so far; each event is scheduled as the catalog loads it")]
        private static partial void LogStarted(ILogger logger, int count);
    }

    /// <summary>The tick's answer to daprd (any 2xx acknowledges it); handy when reading the sidecar's logs.</summary>
    public sealed record CronTickResponse(int Started, int AlreadyExisted, int Skipped, int Failed, bool Overlapped);
}
