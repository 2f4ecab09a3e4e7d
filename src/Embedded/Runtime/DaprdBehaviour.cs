using Dapr.DurableTask.Protobuf;
using DurableTask.Core;
using OrchestrationStatus = DurableTask.Core.OrchestrationStatus;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;

namespace Arkonis.Embedded.Runtime;

/// <summary>
/// What daprd does that Microsoft's in-process durable-task server does not, layered on the embedded runtime's gRPC
/// and HTTP ports: always on, as in daprd (a test may slow starts down, order them or change a status; the
/// <c>dapr run</c> user gets the same refusals). Each rule names the daprd source it models.
/// <list type="bullet">
/// <item>Starting an instance id whose instance is active is refused atomically, "an active workflow with ID '…'
/// already exists"; a completed one is re-created (dapr/dapr <c>pkg/actors/targets/workflow/orchestrator/create.go</c>,
/// <c>createIfCompleted</c>). The in-process server instead appends a second ExecutionStarted to a live instance.</item>
/// <item>StartInstance answers only once the new workflow has left Pending, unless a start time is given
/// (dapr/durabletask-go <c>backend/executor.go</c>, <c>StartInstance</c> → <c>WaitForInstanceStart</c>): a cold start or a
/// worker reconnect makes that slow; <see cref="StartDelay"/> models it (zero unless a test sets it).</item>
/// <item>When the worker's <c>GetWorkItems</c> stream ends (the app stopped, crashed or lost its sidecar connection), the
/// work items it held and had not answered are dispatched again to the next worker (<see cref="WorkItemHandBack"/>):
/// an activity whose result was not recorded runs again.</item>
/// <item>With <c>DAPR_API_TOKEN</c> set, every gRPC and HTTP call without the matching <c>dapr-api-token</c> header is
/// refused (gRPC <c>Unauthenticated</c>, HTTP 401; dapr/dapr <c>pkg/api/grpc/endpoints.go</c> and
/// <c>pkg/api/http/http.go</c> via the api-token middleware).</item>
/// <item>The patches a worker applied (<c>IsPatched</c>) are kept in the run's history and a worker that contradicts
/// them stalls the run (<see cref="WorkflowPatches"/>).</item>
/// <item>A purge deletes everything of the workflow: its state and its reminders (dapr/dapr
/// <c>pkg/actors/targets/workflow/orchestrator</c>, <c>cleanupWorkflowStateInternal</c>: the purge request, then
/// <c>reminders.DeleteByActorID</c>). What this runtime keeps per instance beside the server goes with it: the recorded
/// history (<see cref="WorkflowHistories"/>), the patches and the armed timers (<see cref="WorkflowTimers"/>).</item>
/// <item>With a Configuration's <c>spec.workflow.stateRetentionPolicy</c>, a finished workflow is purged that way once
/// its retention period has passed (<see cref="WorkflowRetention"/>).</item>
/// </list>
/// </summary>
public sealed class DaprdBehaviour
{
    /// <summary>
    /// The locks that make a start's check-then-create atomic per instance id, striped: an id always takes the same one
    /// (hashed as the in-memory store compares ids, ignoring case), so the set stays this size however many instances
    /// come and go. Two ids that share a stripe only wait for each other's start, which holds it briefly.
    /// </summary>
    private readonly SemaphoreSlim[] _creating = [.. Enumerable.Range(0, CreatingStripes).Select(_ => new SemaphoreSlim(1, 1))];

    internal const int CreatingStripes = 64;

    /// <summary>The runtime's <c>DAPR_API_TOKEN</c> (the run command reads it from its configuration); null means no token is required.</summary>
    public string? ApiToken { get; init; }

    /// <summary>How long StartInstance takes to answer after creating the instance (daprd waits for its first step).</summary>
    public TimeSpan StartDelay { get; set; }

    /// <summary>The status of "an active workflow … already exists"; AlreadyExists unless a test says otherwise.</summary>
    public StatusCode ActiveDuplicateStatus { get; set; } = StatusCode.AlreadyExists;

    /// <summary>Runs before each StartInstance is decided (after the id's lock is taken): lets a test order an interleaving.</summary>
    public Func<string, Task>? BeforeStart { get; set; }

    /// <summary>Every StartInstance: instance id and what daprd's rule made of it.</summary>
    public RecentQueue<(string InstanceId, string Outcome)> Starts { get; } = new();

    /// <summary>How many work items were dispatched again because the worker's stream ended before it answered them.</summary>
    public int WorkItemsHandedBack { get; internal set; }

    /// <summary>Calls refused for a missing or wrong <c>dapr-api-token</c>: the path of each.</summary>
    public RecentQueue<string> Unauthenticated { get; } = new();

    internal SemaphoreSlim LockFor(string instanceId) =>
        _creating[(int)((uint)StringComparer.OrdinalIgnoreCase.GetHashCode(instanceId) % CreatingStripes)];

    internal bool Authorized(string? presented) =>
        ApiToken is null || string.Equals(presented, ApiToken, StringComparison.Ordinal);
}

/// <summary>The gRPC side of <see cref="DaprdBehaviour"/>.</summary>
public sealed class DaprdInterceptor(
    DaprdBehaviour daprd,
    IOrchestrationServiceClient orchestrations,
    TaskHubGrpcServer server,
    WorkflowPatches patches,
    WorkflowHistories histories,
    WorkflowRetention retention) : Interceptor
{
    private const string StartInstance = "/TaskHubSidecarService/StartInstance";
    private const string PurgeInstances = "/TaskHubSidecarService/PurgeInstances";
    private const string GetWorkItems = "/TaskHubSidecarService/GetWorkItems";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        if (context.Method == PurgeInstances)
        {
            var purged = await continuation(request, context);
            await ForgetPurgedAsync(InstanceIdOf(request));
            return purged;
        }
        if (context.Method != StartInstance)
        {
            return await continuation(request, context);
        }
        var instanceId = InstanceIdOf(request);
        var gate = daprd.LockFor(instanceId);
        await gate.WaitAsync(context.CancellationToken);
        TResponse response;
        try
        {
            if (daprd.BeforeStart is { } before)
            {
                await before(instanceId);
            }
            var existing = (await orchestrations.GetOrchestrationStateAsync(instanceId, false))?.FirstOrDefault();
            if (existing is { OrchestrationStatus: OrchestrationStatus.Running or OrchestrationStatus.Pending or OrchestrationStatus.Suspended })
            {
                daprd.Starts.Add((instanceId, "refused"));
                throw new RpcException(new Status(daprd.ActiveDuplicateStatus, $"an active workflow with ID '{instanceId}' already exists"));
            }
            daprd.Starts.Add((instanceId, existing is null ? "created" : "recreated"));
            response = await continuation(request, context);
        }
        finally
        {
            gate.Release();
        }
        if (daprd.StartDelay > TimeSpan.Zero)
        {
            await Task.Delay(daprd.StartDelay, context.CancellationToken);
        }
        return response;
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authenticate(context);
        if (context.Method != GetWorkItems)
        {
            await continuation(request, responseStream, context);
            return;
        }
        try
        {
            await continuation(request, new Rewriting<TResponse, WorkItem>(responseStream, WorkItem.Parser, patches.Dispatching), context);
        }
        finally
        {
            // One worker stream at a time (the in-process server refuses a second): what is pending was sent on this one.
            daprd.WorkItemsHandedBack += new WorkItemHandBack(server).HandBackAll();
        }
    }

    /// <summary>
    /// Drops this runtime's own records of the instances the purge deleted: the one named, or, for a purge by filter,
    /// every recorded instance the server no longer holds.
    /// </summary>
    private async Task ForgetPurgedAsync(string instanceId)
    {
        foreach (var id in instanceId.Length > 0 ? [instanceId] : histories.InstanceIds())
        {
            if ((await orchestrations.GetOrchestrationStateAsync(id, false))?.FirstOrDefault() is null)
            {
                retention.Forget(id);
            }
        }
    }

    /// <summary>A message of the server's own (Microsoft's) protos read in Dapr's dialect: same wire format.</summary>
    private static TDapr AsDapr<TDapr>(object message, MessageParser<TDapr> parser) where TDapr : IMessage<TDapr> =>
        parser.ParseFrom(((IMessage)message).ToByteArray());

    /// <summary>
    /// Writes each message after <paramref name="change"/> saw it in Dapr's dialect. Fields Microsoft's protos lack
    /// (a WorkflowStarted event's version) survive the way back as unknown fields, which protobuf writes unchanged.
    /// </summary>
    private sealed class Rewriting<TResponse, TDapr>(IServerStreamWriter<TResponse> inner, MessageParser<TDapr> parser, Action<TDapr> change)
        : IServerStreamWriter<TResponse> where TDapr : IMessage<TDapr>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(TResponse message)
        {
            var dapr = AsDapr(message!, parser);
            change(dapr);
            return inner.WriteAsync((TResponse)((IMessage)message!).Descriptor.Parser.ParseFrom(dapr.ToByteArray()));
        }
    }

    private void Authenticate(ServerCallContext context)
    {
        if (!daprd.Authorized(context.RequestHeaders.GetValue("dapr-api-token")))
        {
            daprd.Unauthenticated.Add(context.Method);
            throw new RpcException(new Status(StatusCode.Unauthenticated, "authentication error: api token mismatch"));
        }
    }

    /// <summary>The server's own CreateInstanceRequest (Microsoft's generated type): its <c>InstanceId</c>.</summary>
    private static string InstanceIdOf<TRequest>(TRequest request) =>
        (string)request!.GetType().GetProperty("InstanceId")!.GetValue(request)!;
}

/// <summary>Wires <see cref="DaprdBehaviour"/> into the embedded runtime: the gRPC interceptor and the HTTP token check.</summary>
public static class DaprdBehaviourExtensions
{
    public static IServiceCollection AddDaprdBehaviour(this IServiceCollection services, DaprdBehaviour behaviour)
    {
        services.AddSingleton(behaviour);
        services.AddSingleton<WorkflowPatches>();
        services.AddSingleton<DaprdInterceptor>();
        services.Configure<Grpc.AspNetCore.Server.GrpcServiceOptions>(o => o.Interceptors.Add<DaprdInterceptor>());
        return services;
    }

    /// <summary>The API token on the HTTP port (service invocation): 401 without the matching <c>dapr-api-token</c>.</summary>
    public static IApplicationBuilder UseDaprApiToken(this IApplicationBuilder app)
    {
        var daprd = app.ApplicationServices.GetRequiredService<DaprdBehaviour>();
        return app.Use(async (HttpContext http, RequestDelegate rest) =>
        {
            // gRPC calls are checked by the interceptor (it answers with a gRPC status); plain HTTP here.
            if (http.Request.Protocol != "HTTP/2" && !IsHealthCheck(http.Request)
                && !daprd.Authorized(http.Request.Headers["dapr-api-token"].FirstOrDefault()))
            {
                daprd.Unauthenticated.Add(http.Request.Path);
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }
            await rest(http);
        });
    }

    /// <summary>daprd answers its health endpoints without the token (pkg/api/http/middlewares.go, isRouteExcludedFromAPITokenAuth).</summary>
    private static bool IsHealthCheck(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path.Value?.TrimEnd('/') is "/v1.0/healthz" or "/v1.0/healthz/outbound";
}
