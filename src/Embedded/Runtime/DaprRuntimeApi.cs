using System.Collections.Concurrent;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf.WellKnownTypes;
using Google.Protobuf;
using Grpc.Core;

namespace Arkonis.Embedded.Runtime;

/// <summary>
/// The parts of the Dapr runtime gRPC API the dispatcher and the flow runner use: secrets (like
/// <c>secretstores.local.file</c> with <c>multiValued: true</c>: one key returns a map), publish (delivered to the
/// app as daprd delivers it, through <see cref="InMemoryPubSub"/>) and state (<see cref="InMemoryStateStore"/>, with
/// daprd's ETag rules and the component's <c>ttlInSeconds</c>). Dapr.Protos ships only the client stubs, so the
/// service binds its methods itself, under daprd's own service name <c>dapr.proto.runtime.v1.Dapr</c>; every other
/// call answers Unimplemented, as a server without the method does. (gRPC binds only virtual methods declared on the attributed type, hence not sealed.)
/// </summary>
[BindServiceMethod(typeof(DaprRuntimeApi), nameof(BindService))]
public class DaprRuntimeApi(InMemoryPubSub pubSub, InMemoryStateStore state, RuntimeComponents components)
{
    private const string ServiceName = "dapr.proto.runtime.v1.Dapr";

    public static void BindService(ServiceBinderBase binder, DaprRuntimeApi? service)
    {
        binder.AddMethod(Unary(nameof(GetSecret), GetSecretRequest.Parser, GetSecretResponse.Parser),
            service is null ? null : service.GetSecret);
        binder.AddMethod(Unary(nameof(PublishEvent), PublishEventRequest.Parser, Empty.Parser),
            service is null ? null : service.PublishEvent);
        binder.AddMethod(Unary(nameof(GetState), GetStateRequest.Parser, GetStateResponse.Parser),
            service is null ? null : service.GetState);
        binder.AddMethod(Unary(nameof(GetBulkState), GetBulkStateRequest.Parser, GetBulkStateResponse.Parser),
            service is null ? null : service.GetBulkState);
        binder.AddMethod(Unary(nameof(SaveState), SaveStateRequest.Parser, Empty.Parser),
            service is null ? null : service.SaveState);
        binder.AddMethod(Unary(nameof(DeleteState), DeleteStateRequest.Parser, Empty.Parser),
            service is null ? null : service.DeleteState);
        binder.AddMethod(Unary(nameof(ExecuteStateTransaction), ExecuteStateTransactionRequest.Parser, Empty.Parser),
            service is null ? null : service.ExecuteStateTransaction);
    }

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(
        string name, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        new(MethodType.Unary, ServiceName, name,
            Marshallers.Create(r => r.ToByteArray(), requestParser.ParseFrom),
            Marshallers.Create(r => r.ToByteArray(), responseParser.ParseFrom));

    /// <summary>Secret key (for example <c>hello-webhook-token</c>) to its values (<c>token</c>, ...).</summary>
    public ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> Secrets { get; } = new();

    /// <summary>Every secret read: store, key, namespace metadata.</summary>
    public RecentQueue<(string Store, string Key, string? Namespace)> SecretReads { get; } = new();

    public virtual Task<GetSecretResponse> GetSecret(GetSecretRequest request, ServerCallContext context)
    {
        SecretReads.Add((request.StoreName, request.Key, request.Metadata.TryGetValue("namespace", out var ns) ? ns : null));
        if (request.StoreName != components.SecretStore || !Secrets.TryGetValue(request.Key, out var values))
        {
            // daprd answers a store error with Internal.
            throw new RpcException(new Status(StatusCode.Internal, $"failed getting secret with key {request.Key} from secret store {request.StoreName}"));
        }
        var response = new GetSecretResponse();
        foreach (var (key, value) in values)
        {
            response.Data[key] = value;
        }
        return Task.FromResult(response);
    }

    public virtual async Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context)
    {
        if (request.PubsubName != components.PubSub)
        {
            // daprd: "pubsub X is not found" (InvalidArgument).
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"pubsub {request.PubsubName} is not found"));
        }
        // daprd's API span for the call (dapr/dapr pkg/diagnostics/grpc_tracing.go): a child of the publisher's
        // traceparent metadata (.NET clients send no grpc-trace-bin). Its tracestate does not reach the span there
        // (SpanContextFromIncomingGRPCMetadata drops the result of WithTraceState), so over gRPC it is not carried.
        var trace = PubSubTrace.OfPublish(context.RequestHeaders.GetValue("traceparent"), traceState: null)
            .WithOverrides(request.Metadata);
        await pubSub.PublishAsync(request.PubsubName, request.Topic, request.Data.ToByteArray(), request.DataContentType, trace);
        return new Empty();
    }

    public virtual Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context)
    {
        CheckStore(request.StoreName);
        var response = new GetStateResponse();
        if (state.Get(request.Key) is { } item)
        {
            response.Data = item.Value;
            response.Etag = item.ETag;
        }
        return Task.FromResult(response);
    }

    public virtual Task<GetBulkStateResponse> GetBulkState(GetBulkStateRequest request, ServerCallContext context)
    {
        CheckStore(request.StoreName);
        var response = new GetBulkStateResponse();
        foreach (var key in request.Keys)
        {
            var item = new BulkStateItem { Key = key };
            if (state.Get(key) is { } found)
            {
                item.Data = found.Value;
                item.Etag = found.ETag;
            }
            response.Items.Add(item);
        }
        return Task.FromResult(response);
    }

    public virtual Task<Empty> SaveState(SaveStateRequest request, ServerCallContext context)
    {
        CheckStore(request.StoreName);
        state.Apply(request.States.Select(s => StateChange.Upsert(
            s.Key, s.Value, s.Etag?.Value, IsFirstWrite(s.Options), StateChange.TtlOf(s.Metadata))).ToList());
        return Task.FromResult(new Empty());
    }

    public virtual Task<Empty> DeleteState(DeleteStateRequest request, ServerCallContext context)
    {
        CheckStore(request.StoreName);
        state.Apply([StateChange.Delete(request.Key, request.Etag?.Value)]);
        return Task.FromResult(new Empty());
    }

    public virtual Task<Empty> ExecuteStateTransaction(ExecuteStateTransactionRequest request, ServerCallContext context)
    {
        CheckStore(request.StoreName);
        state.Apply(request.Operations.Select(o => o.OperationType switch
        {
            "upsert" => StateChange.Upsert(
                o.Request.Key, o.Request.Value, o.Request.Etag?.Value, IsFirstWrite(o.Request.Options), StateChange.TtlOf(o.Request.Metadata)),
            "delete" => StateChange.Delete(o.Request.Key, o.Request.Etag?.Value),
            var other => throw new RpcException(new Status(StatusCode.InvalidArgument, $"operation type {other} not supported")),
        }).ToList());
        return Task.FromResult(new Empty());
    }

    private static bool IsFirstWrite(StateOptions? options) =>
        options?.Concurrency == StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite;

    private void CheckStore(string name)
    {
        if (name != components.StateStore)
        {
            // daprd: ErrStateStoreNotFound.
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"state store {name} is not found"));
        }
    }
}
