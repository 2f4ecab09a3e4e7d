using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Arkonis.Hosting;

namespace Arkonis.Dispatcher.Hosting;

/// <summary>Endpoint metadata: the endpoint answers only on the callback (Dapr app) port.</summary>
public sealed class CallbackPortOnlyMetadata;

/// <summary>Endpoint metadata: the endpoint answers only on the public port.</summary>
public sealed class PublicPortOnlyMetadata;

/// <summary>Endpoint metadata: the endpoint answers only on the dashboard port, which answers nothing else.</summary>
public sealed class DashboardPortOnlyMetadata;

/// <summary>
/// Keeps the Dapr callbacks off the public port. The check uses the port the connection arrived on, never the
/// Host header, which a caller controls.
/// </summary>
public static class PortIsolation
{
    public static WebApplicationBuilder AddDispatcherPorts(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<PortsOptions, PortsOptionsValidator>(PortsOptions.SectionName);
        builder.Services.AddValidatedOptions<ConnectionLimitsOptions, ConnectionLimitsOptionsValidator>(ConnectionLimitsOptions.SectionName);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Read when Kestrel starts, so every configuration source (files, environment, tests) has been applied.
            var ports = kestrel.ApplicationServices.GetRequiredService<IOptions<PortsOptions>>().Value;
            kestrel.AddServerHeader = false;
            ApplyConnectionLimits(kestrel.Limits, kestrel.ApplicationServices.GetRequiredService<IOptions<ConnectionLimitsOptions>>().Value);
            kestrel.ListenAnyIP(ports.Public);
            if (ports.CallbackLoopbackOnly)
            {
                kestrel.ListenLocalhost(ports.Callback);
            }
            else
            {
                kestrel.ListenAnyIP(ports.Callback);
            }
            if (ports.DashboardLoopbackOnly)
            {
                kestrel.ListenLocalhost(ports.Dashboard);
            }
            else
            {
                kestrel.ListenAnyIP(ports.Dashboard);
            }
        });
        return builder;
    }

    /// <summary>Slow or idle clients are cut by these; the server's, so every port's (see <see cref="ConnectionLimitsOptions"/>).</summary>
    private static void ApplyConnectionLimits(KestrelServerLimits limits, ConnectionLimitsOptions options)
    {
        limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
        limits.KeepAliveTimeout = options.KeepAliveTimeout;
        limits.MinRequestBodyDataRate = options.MinRequestBodyBytesPerSecond > 0
            ? new MinDataRate(options.MinRequestBodyBytesPerSecond, options.MinRequestBodyGracePeriod)
            : null;
        limits.MaxConcurrentConnections = options.MaxConcurrentConnections;
    }

    /// <summary>Answers 404 on the public port, as if the route did not exist.</summary>
    public static TBuilder RequireCallbackPort<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new CallbackPortOnlyMetadata());

    /// <summary>Answers 404 on the callback port.</summary>
    public static TBuilder RequirePublicPort<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PublicPortOnlyMetadata());

    /// <summary>Answers 404 on every port but the dashboard's (which answers 404 to every other endpoint).</summary>
    public static TBuilder RequireDashboardPort<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new DashboardPortOnlyMetadata());

    /// <summary>
    /// Must run after routing, before the rate limiter and the endpoints. When <c>APP_API_TOKEN</c> is set (Dapr's
    /// app API token), callback endpoints also require it in <c>dapr-api-token</c>.
    /// </summary>
    public static IApplicationBuilder UsePortIsolation(this IApplicationBuilder app)
    {
        var ports = app.ApplicationServices.GetRequiredService<IOptions<PortsOptions>>().Value;
        var appApiToken = app.ApplicationServices.GetRequiredService<IConfiguration>()["APP_API_TOKEN"];
        var appApiTokenHash = string.IsNullOrEmpty(appApiToken) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(appApiToken));
        return app.Use((context, next) =>
        {
            var metadata = context.GetEndpoint()?.Metadata;
            if (metadata is null)
            {
                return next(context);
            }
            var port = context.Connection.LocalPort;
            var dashboardEndpoint = metadata.GetMetadata<DashboardPortOnlyMetadata>() is not null;
            var wrongPort =
                (metadata.GetMetadata<CallbackPortOnlyMetadata>() is not null && port != ports.Callback) ||
                (metadata.GetMetadata<PublicPortOnlyMetadata>() is not null && port != ports.Public) ||
                dashboardEndpoint != (port == ports.Dashboard);
            if (wrongPort)
            {
                context.SetEndpoint(null);
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            if (appApiTokenHash is not null && metadata.GetMetadata<CallbackPortOnlyMetadata>() is not null &&
                !CryptographicOperations.FixedTimeEquals(
                    appApiTokenHash, SHA256.HashData(Encoding.UTF8.GetBytes(context.Request.Headers["dapr-api-token"].ToString()))))
            {
                context.SetEndpoint(null);
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            }
            return next(context);
        });
    }
}
