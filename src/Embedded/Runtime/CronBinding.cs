using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Arkonis.Embedded.Runtime;

/// <summary>
/// The cron input binding (<c>components/cron.yaml</c>, <c>@every 1s</c>, input only, so no OPTIONS probe): every
/// interval it POSTs <c>/{binding}</c> on the app channel with an empty body, <c>Content-Type: application/json</c> and
/// the <c>timeZone</c> and <c>readTimeUTC</c> headers, as daprd does; the app decides what is due. Off unless
/// <see cref="EmbeddedRuntimeOptions.CronTicks"/> is set (tests tick the route themselves).
/// </summary>
public sealed partial class CronBinding(AppChannel app, RuntimeComponents components, TimeProvider time, ILogger<CronBinding> logger)
    : BackgroundService
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(components.CronInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (app.Address is { } address)
            {
                await TickAsync(address, stoppingToken);
            }
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    private async Task TickAsync(Uri address, CancellationToken stoppingToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "/" + components.CronBinding))
        {
            // Exactly daprd's type: no charset parameter.
            Content = new ByteArrayContent([]) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        request.Headers.Add("timeZone", "UTC");
        request.Headers.Add("readTimeUTC", time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss.fffffff '+0000 UTC'", CultureInfo.InvariantCulture));
        if (app.ApiToken is { } token)
        {
            request.Headers.Add("dapr-api-token", token);
        }
        try
        {
            using var response = await _http.SendAsync(request, stoppingToken);
            Report(response.IsSuccessStatusCode ? null : ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
        }
        catch (HttpRequestException e)
        {
            Report(e.Message);
        }
        catch (TaskCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            Report("timeout");
        }
    }

    /// <summary>Logs when ticks start failing and when they work again, not every second.</summary>
    private void Report(string? failure)
    {
        if (failure is not null && !_failing)
        {
            LogTickFailed(logger, components.CronBinding, failure);
        }
        else if (failure is null && _failing)
        {
            LogTicking(logger, components.CronBinding);
        }
        _failing = failure is not null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cron binding {Binding}: the app did not take the tick ({Failure}); retrying every tick")]
    private static partial void LogTickFailed(ILogger logger, string binding, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cron binding {Binding}: the app takes ticks again")]
    private static partial void LogTicking(ILogger logger, string binding);
}
