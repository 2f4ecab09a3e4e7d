using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Arkonis.Dispatcher.Tests.Hosting;

/// <summary>Program as it starts, with <paramref name="settings"/>; keeps a copy of what Program registered.</summary>
internal sealed class ModeHost(Dictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    private readonly string _catalog = Directory.CreateTempSubdirectory("arkevent-mode-").FullName;

    public IReadOnlyList<ServiceDescriptor> Registrations { get; private set; } = [];

    /// <summary>Kubernetes mode against <paramref name="api"/>.</summary>
    public static Dictionary<string, string?> Kubernetes(KubeApiStandIn api) => new()
    {
        ["Dispatcher:Mode"] = "Kubernetes",
        ["Dispatcher:Kubernetes:ApiServerUrl"] = api.Url,
        ["Dispatcher:Kubernetes:PodName"] = "pod-a",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Ports:Public", FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Ports:Callback", FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Ports:Dashboard", FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        // Nothing listens there: the workflow worker and the clients only retry in the background.
        builder.UseSetting("DAPR_GRPC_ENDPOINT", "http://127.0.0.1:1");
        builder.UseSetting("DAPR_HTTP_ENDPOINT", "http://127.0.0.1:1");
        builder.UseSetting("Catalog:Directory", _catalog);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.ClearProviders());
        builder.ConfigureTestServices(services => Registrations = [.. services]);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_catalog, recursive: true);
    }
}
