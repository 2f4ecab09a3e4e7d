using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Diagnostics;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Arkonis.Dispatcher.Hosting;

/// <summary>The cross-cutting parts of the dispatcher host: errors, metrics, time, the middleware order, health.</summary>
public static class DispatcherPipeline
{
    public static IServiceCollection AddDispatcherCore(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddMetrics();
        services.AddSingleton<DispatcherMetrics>();
        // Every Arkonis.* meter (runs, triggers, reconciler) plus ASP.NET Core's own, scraped at /metrics.
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter("Arkonis.*", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting")
            .AddPrometheusExporter());
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>Exception handler (no exception text leaves the process), routing, CloudEvents, port isolation, rate limits.</summary>
    public static WebApplication UseDispatcherPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseRouting();
        app.UsePortIsolation();
        // CloudEvents envelopes are unwrapped for Dapr's deliveries only, never on the public API.
        var callbackPort = app.Services.GetRequiredService<IOptions<PortsOptions>>().Value.Callback;
        app.UseWhen(context => context.Connection.LocalPort == callbackPort, callbacks => callbacks.UseCloudEvents());
        app.UseRateLimiter();
        return app;
    }

    /// <summary><c>/healthz</c> (the process answers), <c>/readyz</c> (the catalog is loaded), <c>/metrics</c> (Prometheus text, public port).</summary>
    public static IEndpointRouteBuilder MapDispatcherHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Text("ok")).ExcludeFromDescription();
        app.MapPrometheusScrapingEndpoint("/metrics").RequirePublicPort();
        app.MapGet("/readyz", (YamlDirectoryCatalogSource? source) =>
                source is null or { Loaded: true }
                    ? Results.Text("ready")
                    : Results.Text("catalog not loaded", statusCode: StatusCodes.Status503ServiceUnavailable))
            .ExcludeFromDescription();
        return app;
    }
}
