using System.Net.Http.Headers;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Arkonis.Dispatcher.Tests.Harness;

/// <summary>
/// A running dispatcher with its fake sidecar and the flow-runner sample behind it, plus a temporary catalog
/// directory. Reusable: derive and override <see cref="Settings"/>, <see cref="Events"/> or <see cref="FlowDelay"/>,
/// use it as an xunit class fixture, and talk to <see cref="Public"/> and <see cref="Callbacks"/>.
/// </summary>
public class DispatcherFixture : IAsyncLifetime
{
    public const string Token = "test-token-0123456789";

    private DispatcherApp? _app;
    private EmbeddedDaprRuntime? _sidecar;

    /// <summary>Client for the public port (8092 in production).</summary>
    public HttpClient Public { get; private set; } = null!;

    /// <summary>Client for the callback port (8093 in production).</summary>
    public HttpClient Callbacks { get; private set; } = null!;

    /// <summary>Client for the dashboard port (8095 in production).</summary>
    public HttpClient Dashboard { get; private set; } = null!;

    public EmbeddedDaprRuntime Sidecar => _sidecar!;

    public IServiceProvider Services => _app!.Services;

    public ArkEventCatalog Catalog => Services.GetRequiredService<ArkEventCatalog>();

    public string CatalogDirectory { get; } = Directory.CreateTempSubdirectory("arkevent-catalog-").FullName;

    /// <summary>How long a flow takes when its input does not say <c>_delayMs</c>.</summary>
    protected virtual TimeSpan FlowDelay => TimeSpan.FromMilliseconds(50);

    /// <summary>Configuration overrides for the dispatcher.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["TriggerApi:TokenCacheTtl"] = "00:00:00.200",
    };

    /// <summary>daprd's rules the embedded runtime applies (API token, slow starts); null means the defaults.</summary>
    protected virtual DaprdBehaviour? Daprd => null;

    /// <summary>Where the embedded runtime's own log lines go (Warning and above); null means nowhere.</summary>
    protected virtual ILoggerProvider? SidecarLogs => null;

    /// <summary>Where the dispatcher's workflow client connects; null means the fake sidecar.</summary>
    protected virtual string? WorkflowEndpoint => null;

    /// <summary>Test services added after the app's own (last registration wins).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>The catalog files written before start: file name to YAML.</summary>
    protected virtual IReadOnlyDictionary<string, string> Events => TestEvents.All;

    /// <summary>Secrets present before start (key to values); by default a token for every test event.</summary>
    protected virtual IEnumerable<string> TokenSecrets => TestEvents.Names.Select(n => n + "-webhook-token");

    public async Task InitializeAsync()
    {
        foreach (var (file, yaml) in Events)
        {
            await File.WriteAllTextAsync(Path.Combine(CatalogDirectory, file), yaml);
        }
        _sidecar = await EmbeddedDaprRuntime.StartAsync(FlowDelay, SidecarLogs, daprd: Daprd);
        foreach (var key in TokenSecrets)
        {
            _sidecar.Runtime.Secrets[key] = new Dictionary<string, string> { ["token"] = Token };
        }
        _app = new DispatcherApp(_sidecar, CatalogDirectory, Settings, WorkflowEndpoint, ConfigureServices);
        _app.UseKestrel();
        _app.StartServer();
        _sidecar.PubSub.AppBase = new Uri($"http://127.0.0.1:{_app.CallbackPort}");
        Public = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_app.PublicPort}"), Timeout = TimeSpan.FromSeconds(60) };
        Callbacks = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_app.CallbackPort}"), Timeout = TimeSpan.FromSeconds(60) };
        Dashboard = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_app.DashboardPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Public?.Dispose();
        Callbacks?.Dispose();
        Dashboard?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }
        try
        {
            Directory.Delete(CatalogDirectory, true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    /// <summary>A request with the bearer token set.</summary>
    public static HttpRequestMessage Authorized(HttpMethod method, string path, string? json = null, string token = Token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }
        return request;
    }

    /// <summary>Waits for a condition, polling briefly, until the deadline; fails the test when it never holds.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan deadline, string what)
    {
        var until = DateTime.UtcNow + deadline;
        T last;
        do
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }
            await Task.Delay(25);
        }
        while (DateTime.UtcNow < until);
        throw new Xunit.Sdk.XunitException($"Timed out after {deadline} waiting for {what}; last value: {last}");
    }

    internal PortsOptions Ports => new() { Public = _app!.PublicPort, Callback = _app.CallbackPort, Dashboard = _app.DashboardPort };
}
