using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Arkonis.Admission.Observability;

internal static class ObservabilityExtensions
{
    /// <summary>The OpenTelemetry service name (<c>target_info</c>), the Deployment's name.</summary>
    public const string ServiceName = "arkevent-admission";

    public static IServiceCollection AddAdmissionObservability(this IServiceCollection services)
    {
        // The admission meter of this host's IMeterFactory only (MeterScope.Local), through the metrics builder rather
        // than AddMeter, which would listen to the meter of that name in every host of the process (tests run several).
        services.AddMetrics(metrics => metrics.EnableMetrics(AdmissionMetrics.MeterName, scopes: MeterScope.Local));
        services.AddSingleton<AdmissionMetrics>();
        // Exported names follow the instruments: dots to underscores, the unit "s" as _seconds, counters with _total.
        // No otel_scope_name label, so the series keep the labels dashboards and alerts select on; no response cache,
        // so a scrape sees every request answered before it.
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics.AddPrometheusExporter(prometheus =>
            {
                prometheus.ScopeInfoEnabled = false;
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
            }));
        services.AddHealthChecks();
        return services;
    }

    /// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: it can serve (certificate loaded). <c>/metrics</c>: Prometheus text.</summary>
    public static IEndpointRouteBuilder MapAdmissionObservability(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new() { Predicate = check => check.Tags.Contains("ready") });
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
