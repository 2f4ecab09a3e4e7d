using Arkonis.Embedded.Runtime;
using Dapr.DurableTask.Protobuf;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Arkonis.Embedded.Hosting;

/// <summary>
/// The real dispatcher (its own Program, in local mode) on real Kestrel ports, wired to an
/// <see cref="EmbeddedDaprRuntime"/> through configuration (<c>DAPR_GRPC_ENDPOINT</c>, <c>DAPR_HTTP_ENDPOINT</c>), as
/// the Dapr CLI would set it: nothing in the dispatcher knows it is not beside daprd. With
/// <paramref name="workflowEndpoint"/> the workflow engine can be pointed elsewhere (a dead port: "sidecar down").
/// By default it is a test's dispatcher: free ports, environment <c>Testing</c>, logging only to what the test adds.
/// </summary>
public sealed class DispatcherApp(
    EmbeddedDaprRuntime sidecar,
    string catalogDirectory,
    IReadOnlyDictionary<string, string?> settings,
    string? workflowEndpoint = null,
    Action<IServiceCollection>? configureServices = null) : WebApplicationFactory<Program>
{
    private GrpcChannel? _channel;

    public int PublicPort { get; init; } = FreePorts.Next();

    public int CallbackPort { get; init; } = FreePorts.Next();

    public int DashboardPort { get; init; } = FreePorts.Next();

    /// <summary>The hosting environment; <c>Testing</c> unless a run sets another.</summary>
    public string EnvironmentName { get; init; } = "Testing";

    /// <summary>Keep the app's own logging (appsettings.json, the console) instead of Warning-and-above to nowhere.</summary>
    public bool AppLogging { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting("Ports:Public", PublicPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Ports:Callback", CallbackPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Ports:Dashboard", DashboardPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("DAPR_GRPC_ENDPOINT", sidecar.GrpcEndpoint);
        builder.UseSetting("DAPR_HTTP_ENDPOINT", sidecar.HttpEndpoint);
        builder.UseSetting("Catalog:Directory", catalogDirectory);
        builder.UseSetting("Catalog:PollInterval", "00:00:00.200");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        if (!AppLogging)
        {
            builder.ConfigureLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Warning));
        }
        builder.ConfigureTestServices(services =>
        {
            if (workflowEndpoint is not null)
            {
                // Both the workflow worker and client resolve this client from DI (reference/dapr.md).
                _channel = GrpcChannel.ForAddress(workflowEndpoint);
                services.AddSingleton(new TaskHubSidecarService.TaskHubSidecarServiceClient(_channel));
            }
            configureServices?.Invoke(services);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _channel?.Dispose();
    }
}
