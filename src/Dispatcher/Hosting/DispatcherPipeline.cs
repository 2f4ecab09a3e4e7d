using Arkonis.Hosting;
using Arkonis.Dispatcher.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Arkonis.Dispatcher.Hosting;

/// <summary>The cross-cutting parts of the dispatcher host: errors, metrics, time, the middleware order, health.</summary>
public static class DispatcherPipeline
{
    /// <summary>The tag of the health checks <c>/readyz</c> runs.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The OpenTelemetry service name (also the Dapr app id).</summary>
    public const string ServiceName = "arkevent-dispatcher";

    public static IServiceCollection AddDispatcherCore(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddMetrics();
        // The sidecar's own readiness is the dispatcher's too (each mode adds its catalog's check beside it).
        services.AddHealthChecks().AddCheck<SidecarHealthCheck>(SidecarHealthCheck.Name, tags: [ReadyTag]);
        services.AddSingleton<DispatcherMetrics>();
        // The dispatcher's meter (runs, triggers, reconciler) plus ASP.NET Core's own, scraped at /metrics.
        // The resource names the service in target_info; Kubernetes mode adds the pod name as the instance id.
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics
            .AddMeter(DispatcherMeter.Name, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting")
            .AddPrometheusExporter());
        services.AddSingleton(TimeProvider.System);
        services.AddValidatedOptions<SidecarOptions, SidecarOptionsValidator>(SidecarOptions.SectionName);
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

    /// <summary>
    /// <c>/healthz</c> (the process answers; no checks run), <c>/readyz</c> (every check tagged <c>ready</c>: the Dapr
    /// sidecar answers its outbound health endpoint, and the catalog source of the mode has loaded or listed the
    /// ArkEvents), <c>/metrics</c> (Prometheus text, public port).
    /// </summary>
    public static IEndpointRouteBuilder MapDispatcherHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        app.MapPrometheusScrapingEndpoint("/metrics").RequirePublicPort();
        return app;
    }
}
