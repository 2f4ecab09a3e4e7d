using System.Globalization;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Embedded.Hosting;
using Arkonis.Embedded.Runtime;
using Arkonis.Embedded.Startup;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Arkonis.Embedded;

/// <summary>
/// <c>dotnet run --project src/Embedded</c>: the whole system on a machine with only the .NET SDK. The embedded Dapr
/// runtime on daprd's ports, then the dispatcher's own Program in local mode against it (trigger API on 8092), the
/// sample flow runner behind service invocation, the ArkEvents of <c>samples/events</c> and the tokens of
/// <c>components/secrets.json</c>. Settings, from the environment or the command line: <c>Ports:Public</c> (8092),
/// <c>Ports:Callback</c> (8093), <c>Ports:Dashboard</c> (8095), <c>DAPR_GRPC_PORT</c> (50001), <c>DAPR_HTTP_PORT</c> (3500),
/// <c>DAPR_API_TOKEN</c> (none: when set, the runtime refuses calls without it, as daprd does, and the dispatcher is given it).
/// Not top-level statements: the dispatcher's own <c>Program</c> must stay the only one in scope.
/// </summary>
internal static class EmbeddedRun
{
    public static async Task<int> Main(string[] args)
    {
        var settings = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        RepositoryLayout layout;
        try
        {
            layout = RepositoryLayout.Find(Directory.GetCurrentDirectory(), AppContext.BaseDirectory);
        }
        catch (RepositoryLayoutException e)
        {
            await Console.Error.WriteLineAsync("ArkEvent (embedded) cannot start: " + e.Message);
            return 2;
        }

        var publicPort = Port(settings, "Ports:Public", 8092);
        var callbackPort = Port(settings, "Ports:Callback", 8093);
        var dashboardPort = Port(settings, "Ports:Dashboard", 8095);
        var options = new EmbeddedRuntimeOptions
        {
            GrpcPort = Port(settings, "DAPR_GRPC_PORT", 50001),
            HttpPort = Port(settings, "DAPR_HTTP_PORT", 3500),
            SecretsFile = layout.SecretsFile,
            // As `dapr run -f .` gives daprd components/configuration.yaml: its workflow state retention.
            ConfigurationFile = layout.ConfigurationFile,
            CronTicks = true,
            Daprd = new DaprdBehaviour { ApiToken = settings["DAPR_API_TOKEN"] is { Length: > 0 } token ? token : null },
            // As `dapr run -f .` with components/: pubsub.in-memory, and resiliency.yaml's inbound retry.
            PubSub = PubSubDelivery.LocalRun,
            Logging = logging => logging.ClearProviders()
                .AddSimpleConsole(console => console.SingleLine = true)
                .SetMinimumLevel(LogLevel.Warning)
                .AddFilter("Arkonis", LogLevel.Information)
                .AddFilter<ConsoleLoggerProvider>("Microsoft.Hosting.Lifetime", LogLevel.None),
        };

        await using var runtime = await StartAsync("the Dapr runtime", [options.GrpcPort, options.HttpPort],
            () => EmbeddedDaprRuntime.StartAsync(options));
        if (runtime is null)
        {
            return 1;
        }

        // The dispatcher's content root (its appsettings.json), for the factory that runs its Program here.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_ARKONIS_DISPATCHER", layout.DispatcherProject);
        // The token the runtime requires, given to the dispatcher too (from the command line it would not see it otherwise).
        var dispatcherSettings = new Dictionary<string, string?>();
        if (options.Daprd.ApiToken is { } apiToken)
        {
            dispatcherSettings["DAPR_API_TOKEN"] = apiToken;
        }
        await using var dispatcher = new DispatcherApp(runtime, layout.EventsDirectory, dispatcherSettings)
        {
            PublicPort = publicPort,
            CallbackPort = callbackPort,
            DashboardPort = dashboardPort,
            EnvironmentName = Environments.Production,
            AppLogging = true,
        };
        dispatcher.UseKestrel();
        if (await StartAsync("the dispatcher", [publicPort, callbackPort, dashboardPort], () => Task.FromResult(Start(dispatcher))) is null)
        {
            return 1;
        }
        runtime.App.Address = new Uri($"http://127.0.0.1:{callbackPort.ToString(CultureInfo.InvariantCulture)}");

        var catalog = dispatcher.Services.GetRequiredService<ArkEventCatalog>();
        var secrets = runtime.Runtime.Secrets.ToDictionary(s => s.Key, s => s.Value);
        Console.WriteLine(StartupBanner.Render(layout, catalog.Entries, secrets, options, publicPort, TimeProvider.System.GetUtcNow(), dashboardPort));

        // Ctrl+C or SIGTERM: the dispatcher's host stops (its console lifetime), then everything is disposed.
        var stopping = dispatcher.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        await Task.Delay(Timeout.Infinite, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
        return 0;
    }

    private static DispatcherApp Start(DispatcherApp dispatcher)
    {
        dispatcher.StartServer();
        return dispatcher;
    }

    /// <summary>Starts a part; a port already taken (say by a daprd of <c>dapr run -f .</c>) ends the run with what to do.</summary>
    private static async Task<T?> StartAsync<T>(string what, int[] ports, Func<Task<T>> start) where T : class
    {
        try
        {
            return await start();
        }
        catch (Exception e) when (e is IOException || e.InnerException is IOException)
        {
            await Console.Error.WriteLineAsync(
                $"ArkEvent (embedded) cannot start {what}: {(e.InnerException ?? e).Message}\n" +
                $"It listens on {string.Join(" and ", ports)}. Is `dapr run -f .` or another embedded run still going? " +
                "Stop it, or choose other ports: Ports__Public, Ports__Callback, Ports__Dashboard, DAPR_GRPC_PORT, DAPR_HTTP_PORT.");
            return null;
        }
    }

    private static int Port(IConfiguration settings, string key, int fallback) =>
        settings[key] is { Length: > 0 } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
