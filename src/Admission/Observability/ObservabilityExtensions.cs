namespace Arkonis.Admission.Observability;

internal static class ObservabilityExtensions
{
    public static IServiceCollection AddAdmissionObservability(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<AdmissionMetrics>();
        services.AddSingleton<PrometheusTextExporter>();
        services.AddHostedService(sp => sp.GetRequiredService<PrometheusTextExporter>());
        services.AddHealthChecks();
        return services;
    }

    /// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: it can serve (certificate loaded). <c>/metrics</c>: Prometheus text.</summary>
    public static IEndpointRouteBuilder MapAdmissionObservability(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new() { Predicate = check => check.Tags.Contains("ready") });
        app.MapGet("/metrics", (PrometheusTextExporter exporter) => TypedResults.Text(exporter.Render(), PrometheusTextExporter.ContentType))
            .ExcludeFromDescription();
        return app;
    }
}
