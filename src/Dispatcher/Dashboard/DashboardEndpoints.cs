using Arkonis.Dispatcher.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Arkonis.Dispatcher.Dashboard;

/// <summary>
/// The read-only dashboard on its own port (<see cref="PortsOptions.Dashboard"/>, loopback by default): the page at
/// <c>/</c> and its JSON at <c>/api/dashboard</c>. GET only; any other method is answered 405, so it starts nothing.
/// </summary>
public static class DashboardEndpoints
{
    public const string ViewPath = "/api/dashboard";

    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddSingleton<RecentRunIds>();
        services.AddSingleton<DashboardReader>();
        services.AddHostedService<RecentRunIdsWatcher>();
        return services;
    }

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        var dashboard = app.MapGroup("").RequireDashboardPort().ExcludeFromDescription();
        // Map, not MapGet: every method reaches the handler, which answers 405 to all but GET (routing's own 405 would
        // carry no dashboard metadata and so read as a 404 on this port).
        dashboard.Map("/", Results<ContentHttpResult, StatusCodeHttpResult> (HttpContext context) => HttpMethods.IsGet(context.Request.Method)
            ? TypedResults.Content(DashboardPage.Html, "text/html; charset=utf-8")
            : NotAllowed(context));
        dashboard.Map(ViewPath, async Task<Results<Ok<DashboardView>, StatusCodeHttpResult>> (HttpContext context, DashboardReader reader) => HttpMethods.IsGet(context.Request.Method)
            ? TypedResults.Ok(await reader.ReadAsync(context.RequestAborted))
            : NotAllowed(context));
        return app;
    }

    private static StatusCodeHttpResult NotAllowed(HttpContext context)
    {
        context.Response.Headers[HeaderNames.Allow] = HttpMethods.Get;
        return TypedResults.StatusCode(StatusCodes.Status405MethodNotAllowed);
    }
}
