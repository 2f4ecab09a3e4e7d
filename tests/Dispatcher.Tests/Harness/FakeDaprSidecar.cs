using Arkonis.Samples.FlowRunner;
using DurableTask.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Arkonis.Dispatcher.Tests.Harness;

/// <summary>
/// Stands in for daprd next to the app under test, over the real wire protocols:
/// <list type="bullet">
/// <item>gRPC port: the durable-task <c>TaskHubSidecarService</c> (Microsoft's in-process <see cref="TaskHubGrpcServer"/>
/// over an in-memory orchestration service) and the Dapr runtime API (<see cref="FakeDaprRuntime"/>: secrets, publish).</item>
/// <item>HTTP port: service invocation, <c>/v1.0/invoke/flow-runner/method/...</c>, served by the flow-runner sample's
/// own endpoints and logic; its completions are published through this sidecar and delivered to the app.</item>
/// </list>
/// One sidecar per app: the durable-task server accepts one work-item stream.
/// </summary>
public sealed class FakeDaprSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeDaprSidecar(WebApplication app, int grpcPort, int httpPort)
    {
        _app = app;
        GrpcEndpoint = $"http://127.0.0.1:{grpcPort}";
        HttpEndpoint = $"http://127.0.0.1:{httpPort}";
    }

    public string GrpcEndpoint { get; }

    public string HttpEndpoint { get; }

    public FakeDaprRuntime Runtime => _app.Services.GetRequiredService<FakeDaprRuntime>();

    public FakePubSub PubSub => _app.Services.GetRequiredService<FakePubSub>();

    /// <summary>The state API (<c>GetState</c>, <c>SaveState</c>, with daprd's ETag rules): the runs' claim-checked payloads.</summary>
    public FakeDaprStateStore State => _app.Services.GetRequiredService<FakeDaprStateStore>();

    /// <summary>The flow-runner sample's logic, as the app reaches it through service invocation.</summary>
    public FlowRuns FlowRuns => _app.Services.GetRequiredService<FlowRuns>();

    /// <summary>Every flow start the flow runner received (namespace, pipeline, request).</summary>
    public FlowStartLog FlowStarts => _app.Services.GetRequiredService<FlowStartLog>();

    /// <summary>daprd's rules the in-process server lacks (<see cref="DaprdBehaviour"/>): duplicate starts, slow starts, API token.</summary>
    public DaprdBehaviour Daprd => _app.Services.GetRequiredService<DaprdBehaviour>();

    public static async Task<FakeDaprSidecar> StartAsync(TimeSpan flowDelay, ILoggerProvider? logs = null, DaprdBehaviour? daprd = null)
    {
        var grpcPort = FreePorts.Next();
        var httpPort = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenLocalhost(grpcPort, o => o.Protocols = HttpProtocols.Http2);
            kestrel.ListenLocalhost(httpPort, o => o.Protocols = HttpProtocols.Http1);
        });
        var services = builder.Services;
        services.AddGrpc();
        services.AddSingleton(sp => new InMemoryOrchestrationService(sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IOrchestrationService>(sp => new UnthrottledOrchestrationService(sp.GetRequiredService<InMemoryOrchestrationService>()));
        services.AddSingleton<IOrchestrationServiceClient>(sp => sp.GetRequiredService<InMemoryOrchestrationService>());
        services.AddOptions<TaskHubGrpcServerOptions>();
        services.AddSingleton<TaskHubGrpcServer>();
        services.AddSingleton<FakePubSub>();
        services.AddSingleton<FakeDaprRuntime>();
        services.AddSingleton<FakeDaprStateStore>();
        services.AddDaprdBehaviour(daprd ?? new DaprdBehaviour());
        services.AddSingleton<FlowStartLog>();

        // The flow-runner sample, publishing through this sidecar exactly as it does through daprd.
        services.AddDaprClient(dapr =>
        {
            dapr.UseGrpcEndpoint($"http://127.0.0.1:{grpcPort}").UseHttpEndpoint($"http://127.0.0.1:{httpPort}");
            if (daprd?.ApiToken is { } token)
            {
                dapr.UseDaprApiToken(token);
            }
        });
        services.AddFlowRuns<DaprFlowCompletedPublisher>();
        services.Configure<FlowRunnerSampleOptions>(o => { });
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new FlowRunnerSampleOptions { DefaultDelay = flowDelay }));

        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        app.MapGrpcService<FakeDaprRuntime>();
        app.MapGrpcService<FakeDaprStateStore>();
        var invoke = app.MapGroup("/v1.0/invoke/flow-runner/method");
        invoke.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (context.Arguments.OfType<FlowRunRequest>().FirstOrDefault() is { } request)
            {
                http.RequestServices.GetRequiredService<FlowStartLog>().Add(
                    (string)http.Request.RouteValues["namespace"]!, (string)http.Request.RouteValues["pipeline"]!, request);
            }
            return await next(context);
        });
        invoke.MapFlowRunnerApi();
        await app.StartAsync();
        return new FakeDaprSidecar(app, grpcPort, httpPort);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(5));
        await _app.DisposeAsync();
    }
}

/// <summary>What the flow runner was asked to start.</summary>
public sealed class FlowStartLog
{
    private readonly List<(string Namespace, string Pipeline, FlowRunRequest Request)> _starts = [];
    private readonly Lock _lock = new();

    public void Add(string @namespace, string pipeline, FlowRunRequest request)
    {
        lock (_lock)
        {
            _starts.Add((@namespace, pipeline, request));
        }
    }

    public IReadOnlyList<(string Namespace, string Pipeline, FlowRunRequest Request)> Snapshot()
    {
        lock (_lock)
        {
            return [.. _starts];
        }
    }
}
