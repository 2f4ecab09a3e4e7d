using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Harness;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Arkonis.Dispatcher.Tests.Faults;

/// <summary>
/// One embedded runtime, and a dispatcher in front of it that a test can stop and start again (a process restart
/// beside a sidecar that keeps its state) or cut off from it (<see cref="SidecarLink"/>: the sidecar down). The
/// dispatcher is the real Program (<see cref="DispatcherApp"/>); its warnings and errors are kept in <see cref="Logs"/>.
/// </summary>
internal sealed class FaultHost : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly string _catalog = Directory.CreateTempSubdirectory("arkevent-faults-").FullName;

    private FaultHost(EmbeddedDaprRuntime runtime, SidecarLink? grpc, SidecarLink? http)
    {
        Runtime = runtime;
        Grpc = grpc;
        Http = http;
        _settings = new Dictionary<string, string?>
        {
            ["TriggerApi:TokenCacheTtl"] = "00:00:00.200",
            ["Sidecar:CallTimeout"] = "00:00:01",
        };
        if (grpc is not null && http is not null)
        {
            _settings["DAPR_GRPC_ENDPOINT"] = grpc.Endpoint;
            _settings["DAPR_HTTP_ENDPOINT"] = http.Endpoint;
        }
    }

    public EmbeddedDaprRuntime Runtime { get; }

    /// <summary>The relay of the runtime's gRPC port (workflows, secrets, state), when the host was made with links.</summary>
    public SidecarLink? Grpc { get; }

    /// <summary>The relay of the runtime's HTTP port (service invocation, health), when the host was made with links.</summary>
    public SidecarLink? Http { get; }

    public DispatcherApp? App { get; private set; }

    public HttpClient Public { get; private set; } = null!;

    /// <summary>Warning and above from every dispatcher this host ran.</summary>
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Logs { get; } = new();

    /// <summary>A runtime with <paramref name="pubSub"/>; with <paramref name="linked"/> the dispatcher reaches it through cuttable relays.</summary>
    public static async Task<FaultHost> StartAsync(
        IReadOnlyDictionary<string, string> events, bool linked = false, bool linkUp = true, PubSubDelivery? pubSub = null)
    {
        var runtime = await EmbeddedDaprRuntime.StartAsync(TimeSpan.FromMilliseconds(50), pubSub: pubSub);
        var host = linked
            ? new FaultHost(runtime, SidecarLink.To(runtime.GrpcEndpoint, linkUp), SidecarLink.To(runtime.HttpEndpoint, linkUp))
            : new FaultHost(runtime, null, null);
        foreach (var (file, yaml) in events)
        {
            await File.WriteAllTextAsync(Path.Combine(host._catalog, file), yaml);
        }
        foreach (var name in TestEvents.Names.Concat(events.Keys.Select(Path.GetFileNameWithoutExtension)).Distinct())
        {
            runtime.Runtime.Secrets[name + "-webhook-token"] = new Dictionary<string, string> { ["token"] = DispatcherFixture.Token };
        }
        host.StartDispatcher();
        return host;
    }

    /// <summary>Cuts (or restores) both relays at once: the sidecar process gone, or back.</summary>
    public void SidecarDown(bool down)
    {
        foreach (var link in new[] { Grpc!, Http! })
        {
            if (down)
            {
                link.Cut();
            }
            else
            {
                link.Restore();
            }
        }
    }

    /// <summary>Starts a dispatcher on the ports of the previous one, if any (a restarted container keeps its ports).</summary>
    public void StartDispatcher()
    {
        var previous = App;
        var app = previous is null
            ? new DispatcherApp(Runtime, _catalog, _settings, configureServices: KeepLogs)
            : new DispatcherApp(Runtime, _catalog, _settings, configureServices: KeepLogs)
            {
                PublicPort = previous.PublicPort,
                CallbackPort = previous.CallbackPort,
                DashboardPort = previous.DashboardPort,
            };
        app.UseKestrel();
        app.StartServer();
        App = app;
        Runtime.PubSub.AppBase = new Uri($"http://127.0.0.1:{app.CallbackPort}");
        Public?.Dispose();
        Public = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{app.PublicPort}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Stops the dispatcher (its workflow worker with it); the runtime and its state stay.</summary>
    public async Task StopDispatcherAsync()
    {
        await App!.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
    }

    public async Task<HttpResponseMessage> FireAsync(string name, string body, string query = "")
    {
        using var request = DispatcherFixture.Authorized(HttpMethod.Post, $"/triggers/default/{name}/fire{query}", body);
        return await Public.SendAsync(request);
    }

    /// <summary>The run's view from the trigger API, or null while it cannot be read.</summary>
    public async Task<JsonObject?> RunAsync(string statusUrl)
    {
        using var request = DispatcherFixture.Authorized(HttpMethod.Get, statusUrl);
        try
        {
            using var response = await Public.SendAsync(request);
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<JsonObject>() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public async Task<HttpStatusCode> ReadinessAsync()
    {
        using var response = await Public.GetAsync("/readyz");
        return response.StatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        Public?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }
        if (Grpc is not null)
        {
            await Grpc.DisposeAsync();
        }
        if (Http is not null)
        {
            await Http.DisposeAsync();
        }
        await Runtime.DisposeAsync();
        try
        {
            Directory.Delete(_catalog, true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    private void KeepLogs(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(new CollectingLoggerProvider(Logs));

    private sealed class CollectingLoggerProvider(ConcurrentQueue<(LogLevel, string, string)> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Collecting(categoryName, logs);

        public void Dispose()
        {
        }

        private sealed class Collecting(string category, ConcurrentQueue<(LogLevel, string, string)> logs) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    logs.Enqueue((logLevel, category, formatter(state, exception) + (exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)));
                }
            }
        }
    }
}
