using System.Diagnostics;
using Arkonis.Hosting;
using Arkonis.Dispatcher.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Arkonis.Dispatcher.Hosting;

/// <summary>The cross-cutting parts of the dispatcher host: errors, metrics, traces, time, the middleware order, health.</summary>
public static class DispatcherPipeline
{
    /// <summary>The tag of the health checks <c>/readyz</c> runs.</summary>
    public const string ReadyTag = "ready";

    /// <summary>The OpenTelemetry service name (also the Dapr app id).</summary>
    public const string ServiceName = "arkevent-dispatcher";

    private const string OtelServiceNameKey = "OTEL_SERVICE_NAME";

    public static IServiceCollection AddDispatcherCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddProblemDetails();
        services.AddMetrics();
        // The sidecar's own readiness is the dispatcher's too (each mode adds its catalog's check beside it).
        services.AddHealthChecks().AddCheck<SidecarHealthCheck>(SidecarHealthCheck.Name, tags: [ReadyTag]);
        services.AddSingleton<DispatcherMetrics>();
        // The dispatcher's meter (runs, triggers, reconciler) plus ASP.NET Core's own, scraped at /metrics.
        // The resource names the service in target_info and on spans (OTEL_SERVICE_NAME replaces the name); Kubernetes
        // mode adds the pod name as the instance id.
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                configuration[OtelServiceNameKey] is { Length: > 0 } serviceName ? serviceName : ServiceName))
            .WithMetrics(metrics => metrics
            .AddMeter(DispatcherMeter.Name, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting")
            .AddPrometheusExporter())
            .WithTracing(tracing => ConfigureTracing(tracing, configuration));
        services.AddSingleton(TimeProvider.System);
        services.AddValidatedOptions<SidecarOptions, SidecarOptionsValidator>(SidecarOptions.SectionName);
        return services;
    }

    /// <summary>
    /// Traces: the dispatcher's spans (<see cref="DispatcherTracing"/>), the trigger API's requests and daprd's calls, and
    /// the HTTP calls made inside them (the flow runner through the sidecar, the Kubernetes API). Spans are always made,
    /// so the <c>traceparent</c> reaches the flow runner; they leave the process only through OTLP, and only when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>) is set (eShop's ServiceDefaults do
    /// the same). The OpenTelemetry SDK reads the other <c>OTEL_*</c> settings itself: protocol, headers, sampler,
    /// <c>OTEL_SDK_DISABLED</c>.
    /// </summary>
    private static void ConfigureTracing(TracerProviderBuilder tracing, IConfiguration configuration)
    {
        tracing
            .AddSource(DispatcherTracing.SourceName)
            // The trigger API and daprd's calls (/dapr/...: the completions). Health probes, scrapes, the dashboard, the cron
            // binding's ticks and (in the embedded runtime) the runtime's own endpoints make no spans.
            .AddAspNetCoreInstrumentation(options =>
            {
                options.Filter = http =>
                    http.Request.Path.StartsWithSegments("/triggers") || http.Request.Path.StartsWithSegments("/dapr");
                // The instrumentation copies the caller's User-Agent header into the span; a span carries no header a
                // caller wrote (a client may put anything there, a token included).
                options.EnrichWithHttpRequest = (activity, _) => activity.SetTag(UserAgentTag, null);
            })
            .AddHttpClientInstrumentation(options => options.FilterHttpRequestMessage = TracedCall);
        if (OtlpTracesConfigured(configuration))
        {
            tracing.AddOtlpExporter();
        }
    }

    private const string UserAgentTag = "user_agent.original";

    /// <summary>
    /// Only HTTP calls inside a trace (the workflow worker's polls and the watch loops would each start a trace of their
    /// own), and no gRPC to the sidecar: those calls run under the gRPC client's own activity, which is not exported,
    /// so their spans would hang from a parent no backend has (daprd traces them itself when its tracing is on).
    /// </summary>
    private static bool TracedCall(HttpRequestMessage request) =>
        Activity.Current is { } call && call.ParentSpanId != default &&
        request.Content?.Headers.ContentType?.MediaType?.StartsWith("application/grpc", StringComparison.Ordinal) != true;

    /// <summary>An OTLP endpoint is set (for all signals or for traces) and <c>OTEL_TRACES_EXPORTER</c> is not <c>none</c>.</summary>
    internal static bool OtlpTracesConfigured(IConfiguration configuration) =>
        (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) ||
         !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"])) &&
        !string.Equals(configuration["OTEL_TRACES_EXPORTER"]?.Trim(), "none", StringComparison.OrdinalIgnoreCase);

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
