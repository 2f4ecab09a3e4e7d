using Arkonis.Embedded.Runtime;
using Dapr.DurableTask.Protobuf;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Arkonis.Embedded.Hosting;

/// <summary>
/// The real dispatcher (its own Program) on real Kestrel loopback ports, wired to a <see cref="EmbeddedDaprRuntime"/>
/// through configuration (<c>DAPR_GRPC_ENDPOINT</c>, <c>DAPR_HTTP_ENDPOINT</c>), as daprd's CLI would set it.
/// The durable-task gRPC client gets <see cref="ReusedProtoFieldsInterceptor"/>; with
/// <paramref name="workflowEndpoint"/> the workflow engine can be pointed elsewhere (a dead port: "sidecar down").
/// </summary>
public sealed class DispatcherApp(
    EmbeddedDaprRuntime sidecar,
    string catalogDirectory,
    IReadOnlyDictionary<string, string?> settings,
    string? workflowEndpoint = null,
    Action<IServiceCollection>? configureServices = null) : WebApplicationFactory<Program>
{
    private GrpcChannel? _channel;

    public int PublicPort { get; } = FreePorts.Next();

    public int CallbackPort { get; } = FreePorts.Next();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Ports:Public", PublicPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Ports:Callback", CallbackPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("DAPR_GRPC_ENDPOINT", sidecar.GrpcEndpoint);
        builder.UseSetting("DAPR_HTTP_ENDPOINT", sidecar.HttpEndpoint);
        builder.UseSetting("Catalog:Directory", catalogDirectory);
        builder.UseSetting("Catalog:PollInterval", "00:00:00.200");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureTestServices(services =>
        {
            _channel = GrpcChannel.ForAddress(workflowEndpoint ?? sidecar.GrpcEndpoint);
            services.AddSingleton(new TaskHubSidecarService.TaskHubSidecarServiceClient(
                _channel.Intercept(new ReusedProtoFieldsInterceptor())));
            configureServices?.Invoke(services);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _channel?.Dispose();
    }
}
