using Arkonis.Embedded.Hosting;
using Arkonis.Samples.FlowRunner;
using DurableTask.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Arkonis.Embedded.Runtime;

/// <summary>How the embedded runtime starts.</summary>
public sealed record EmbeddedRuntimeOptions
{
    /// <summary>The gRPC port (daprd's <c>--dapr-grpc-port</c>, default 50001); 0 takes a free one.</summary>
    public int GrpcPort { get; init; }

    /// <summary>The HTTP port (daprd's <c>--dapr-http-port</c>, default 3500); 0 takes a free one.</summary>
    public int HttpPort { get; init; }

    /// <summary>How long a sample flow takes when its input does not say <c>_delayMs</c>.</summary>
    public TimeSpan FlowDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A <c>secretstores.local.file</c> file (<c>components/secrets.json</c>) to load at start.</summary>
    public string? SecretsFile { get; init; }

    /// <summary>
    /// The Dapr Configuration <c>dapr run</c> gives daprd (<c>components/configuration.yaml</c>): its
    /// <c>spec.workflow.stateRetentionPolicy</c> purges finished workflows (<see cref="WorkflowRetention"/>). None, or
    /// a file without the policy, keeps them, as daprd does.
    /// </summary>
    public string? ConfigurationFile { get; init; }

    /// <summary>The runtime's clock: state TTLs, retention, workflow timers, pub/sub retries, the cron binding, the sample flows.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Run the cron binding's tick against the app channel (off for tests, which tick the route themselves).</summary>
    public bool CronTicks { get; init; }

    public RuntimeComponents Components { get; init; } = new();

    /// <summary>
    /// daprd's rules (<see cref="DaprdBehaviour"/>): duplicate starts refused or re-created as daprd does, always;
    /// the API token when <see cref="DaprdBehaviour.ApiToken"/> is set; no start delay unless a test sets one.
    /// </summary>
    public DaprdBehaviour Daprd { get; init; } = new();

    /// <summary>
    /// The pub/sub component's delivery: by default what <c>dapr run -f .</c> gives with <c>components/</c>
    /// (<c>pubsub.in-memory</c> with <c>components/resiliency.yaml</c>'s inbound retry).
    /// </summary>
    public PubSubDelivery PubSub { get; init; } = PubSubDelivery.LocalRun;

    /// <summary>The runtime's logging; by default none below Warning, and no provider.</summary>
    public Action<ILoggingBuilder> Logging { get; init; } = logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
}

/// <summary>
/// Serves, on loopback, the Dapr APIs the dispatcher uses, over daprd's own wire protocols:
/// <list type="bullet">
/// <item>gRPC port: the durable-task <c>TaskHubSidecarService</c> (Microsoft's in-process <see cref="TaskHubGrpcServer"/>
/// over an in-memory orchestration service, reading Dapr's dialect, see <see cref="ReusedProtoFields"/>) and the Dapr
/// runtime API (<see cref="DaprRuntimeApi"/>: secrets, publish, state). daprd's own rules on top
/// (<see cref="DaprdBehaviour"/>): an active instance id is not started twice, a completed one is re-created, the
/// patches a worker applied stay in the run's history (<see cref="WorkflowPatches"/>), and with an API token every
/// call must carry it, on both ports.</item>
/// <item>HTTP port: service invocation, <c>/v1.0/invoke/flow-runner/method/...</c>, served by the flow-runner sample's
/// own endpoints and logic; its completions are published through this runtime and delivered to the app.</item>
/// <item>The app channel (<see cref="AppChannel"/>): pub/sub deliveries and, with
/// <see cref="EmbeddedRuntimeOptions.CronTicks"/>, the cron binding's tick.</item>
/// </list>
/// Everything lives in memory. One runtime per app: the durable-task server accepts one work-item stream.
/// </summary>
public sealed class EmbeddedDaprRuntime : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmbeddedDaprRuntime(WebApplication app, int grpcPort, int httpPort)
    {
        _app = app;
        GrpcEndpoint = $"http://127.0.0.1:{grpcPort}";
        HttpEndpoint = $"http://127.0.0.1:{httpPort}";
    }

    public string GrpcEndpoint { get; }

    public string HttpEndpoint { get; }

    public DaprRuntimeApi Runtime => _app.Services.GetRequiredService<DaprRuntimeApi>();

    public InMemoryPubSub PubSub => _app.Services.GetRequiredService<InMemoryPubSub>();

    public InMemoryStateStore State => _app.Services.GetRequiredService<InMemoryStateStore>();

    /// <summary>daprd's rules the in-process server lacks (<see cref="DaprdBehaviour"/>): duplicate starts, slow starts, API token.</summary>
    public DaprdBehaviour Daprd => _app.Services.GetRequiredService<DaprdBehaviour>();

    /// <summary>The patches each run applied, kept in its history as daprd keeps them (<see cref="WorkflowPatches"/>).</summary>
    public WorkflowPatches Patches => _app.Services.GetRequiredService<WorkflowPatches>();

    /// <summary>Each run's history, to read and to restore (<see cref="WorkflowHistories"/>).</summary>
    public WorkflowHistories Histories => _app.Services.GetRequiredService<WorkflowHistories>();

    /// <summary>The purges of finished workflows the Configuration's retention policy schedules (<see cref="WorkflowRetention"/>).</summary>
    public WorkflowRetention Retention => _app.Services.GetRequiredService<WorkflowRetention>();

    /// <summary>The workflows' armed timers (<see cref="WorkflowTimers"/>).</summary>
    public WorkflowTimers Timers => _app.Services.GetRequiredService<WorkflowTimers>();

    /// <summary>Where the runtime calls the app: set it once the app listens.</summary>
    public AppChannel App => _app.Services.GetRequiredService<AppChannel>();

    /// <summary>The flow-runner sample's logic, as the app reaches it through service invocation.</summary>
    public FlowRuns FlowRuns => _app.Services.GetRequiredService<FlowRuns>();

    /// <summary>Every flow start the flow runner received (namespace, pipeline, request).</summary>
    public FlowStartLog FlowStarts => _app.Services.GetRequiredService<FlowStartLog>();

    public static Task<EmbeddedDaprRuntime> StartAsync(
        TimeSpan flowDelay, ILoggerProvider? logs = null, PubSubDelivery? pubSub = null, DaprdBehaviour? daprd = null) =>
        StartAsync(new EmbeddedRuntimeOptions
        {
            FlowDelay = flowDelay,
            PubSub = pubSub ?? PubSubDelivery.LocalRun,
            Daprd = daprd ?? new DaprdBehaviour(),
            Logging = logging =>
            {
                logging.ClearProviders().SetMinimumLevel(LogLevel.Warning);
                if (logs is not null)
                {
                    logging.AddProvider(logs);
                }
            },
        });

    public static async Task<EmbeddedDaprRuntime> StartAsync(EmbeddedRuntimeOptions options)
    {
        var grpcPort = options.GrpcPort == 0 ? FreePorts.Next() : options.GrpcPort;
        var httpPort = options.HttpPort == 0 ? FreePorts.Next() : options.HttpPort;
        var builder = WebApplication.CreateSlimBuilder();
        options.Logging(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenLocalhost(grpcPort, o => o.Protocols = HttpProtocols.Http2);
            kestrel.ListenLocalhost(httpPort, o => o.Protocols = HttpProtocols.Http1);
        });
        var services = builder.Services;
        services.AddGrpc();
        services.AddSingleton(sp => new InMemoryOrchestrationService(sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<WorkflowHistories>();
        services.AddSingleton<WorkflowTimers>();
        var retention = options.ConfigurationFile is { } configuration ? DaprConfigurationFile.ReadRetention(configuration) : null;
        services.AddSingleton(sp => new WorkflowRetention(
            sp.GetRequiredService<InMemoryOrchestrationService>(), sp.GetRequiredService<WorkflowHistories>(),
            sp.GetRequiredService<WorkflowPatches>(), sp.GetRequiredService<WorkflowTimers>(), retention,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WorkflowRetention>>()));
        services.AddSingleton<IOrchestrationService>(sp => new UnthrottledOrchestrationService(
            sp.GetRequiredService<InMemoryOrchestrationService>(), sp.GetRequiredService<WorkflowHistories>(),
            sp.GetRequiredService<WorkflowTimers>(), sp.GetRequiredService<WorkflowRetention>()));
        services.AddSingleton<IOrchestrationServiceClient>(sp => sp.GetRequiredService<InMemoryOrchestrationService>());
        services.AddOptions<TaskHubGrpcServerOptions>();
        services.AddSingleton<TaskHubGrpcServer>();
        services.AddSingleton(options.Components);
        services.AddSingleton<AppChannel>();
        services.AddSingleton(options.PubSub);
        services.AddSingleton<InMemoryPubSub>();
        services.AddSingleton<InMemoryStateStore>();
        services.AddSingleton<DaprRuntimeApi>();
        services.AddSingleton<FlowStartLog>();
        services.AddDaprdBehaviour(options.Daprd);
        if (options.CronTicks)
        {
            services.AddHostedService<CronBinding>();
        }

        // The flow-runner sample, publishing through this runtime exactly as it does through daprd.
        services.AddDaprClient(dapr =>
        {
            dapr.UseGrpcEndpoint($"http://127.0.0.1:{grpcPort}").UseHttpEndpoint($"http://127.0.0.1:{httpPort}");
            if (options.Daprd.ApiToken is { } token)
            {
                dapr.UseDaprApiToken(token);
            }
        });
        services.AddFlowRuns<DaprFlowCompletedPublisher>();
        // After the flow runner's own TimeProvider.System: one clock for the whole runtime.
        services.AddSingleton(options.Time);
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new FlowRunnerSampleOptions
        {
            DefaultDelay = options.FlowDelay,
            PubSubName = options.Components.PubSub,
        }));

        var app = builder.Build();
        if (options.SecretsFile is { } secretsFile)
        {
            foreach (var (key, values) in LocalSecretsFile.Read(secretsFile))
            {
                app.Services.GetRequiredService<DaprRuntimeApi>().Secrets[key] = values;
            }
        }
        app.UseDaprApiToken();
        app.UseDaprWorkflowDialect();
        app.MapGrpcService<TaskHubGrpcServer>();
        app.MapGrpcService<DaprRuntimeApi>();
        // daprd's health endpoints (dapr/dapr pkg/api/http/healthz.go): 204 once the runtime is up; never behind the API
        // token (pkg/api/http/middlewares.go, isRouteExcludedFromAPITokenAuth). This runtime is up once it listens, and it
        // does not wait for the app, so both answer alike.
        app.MapGet("/v1.0/healthz", () => TypedResults.NoContent());
        app.MapGet("/v1.0/healthz/outbound", () => TypedResults.NoContent());
        var invoke = app.MapGroup($"/v1.0/invoke/{options.Components.FlowRunnerAppId}/method");
        invoke.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var log = http.RequestServices.GetRequiredService<FlowStartLog>();
            if (context.Arguments.OfType<FlowRunRequest>().FirstOrDefault() is not { } request)
            {
                return await next(context);
            }
            log.Add(
                (string)http.Request.RouteValues["namespace"]!, (string)http.Request.RouteValues["pipeline"]!, request,
                http.Request.Headers.TraceParent.FirstOrDefault());
            var answer = await next(context);
            if (answer is Results<Accepted<FlowRunAccepted>, ProblemHttpResult> { Result: Accepted<FlowRunAccepted> { Value: { } accepted } })
            {
                log.Accepted(accepted);
                if (log.BeforeAnswer is { } before)
                {
                    await before(request, http.RequestAborted);
                }
            }
            return answer;
        });
        invoke.MapFlowRunnerApi();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new EmbeddedDaprRuntime(app, grpcPort, httpPort);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(5));
        await _app.DisposeAsync();
    }
}

/// <summary>
/// What the flow runner was asked to start (with the <c>traceparent</c> header each request came with), and the flow runs
/// it answered with (the latest <see cref="RecentQueue.DefaultCapacity"/> of each).
/// </summary>
public sealed class FlowStartLog
{
    private readonly RecentQueue<(string Namespace, string Pipeline, FlowRunRequest Request, string? TraceParent)> _starts = new();
    private readonly RecentQueue<FlowRunAccepted> _accepted = new();

    /// <summary>
    /// Runs after the flow runner took a start and before its answer leaves: a test holds it to lose the answer (the
    /// caller gone before it could record that the flow started).
    /// </summary>
    public Func<FlowRunRequest, CancellationToken, Task>? BeforeAnswer { get; set; }

    public void Accepted(FlowRunAccepted accepted) => _accepted.Add(accepted);

    /// <summary>The 202s the flow runner answered: the flow run, its correlation id, whether it had started it already.</summary>
    public IReadOnlyList<FlowRunAccepted> AcceptedRuns() => [.. _accepted];

    public void Add(string @namespace, string pipeline, FlowRunRequest request, string? traceParent = null) =>
        _starts.Add((@namespace, pipeline, request, traceParent));

    public IReadOnlyList<(string Namespace, string Pipeline, FlowRunRequest Request, string? TraceParent)> Snapshot() => [.. _starts];
}
