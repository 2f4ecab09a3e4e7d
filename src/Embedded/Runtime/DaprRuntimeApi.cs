using System.Collections.Concurrent;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf.WellKnownTypes;
using Google.Protobuf;
using Grpc.Core;

namespace Arkonis.Embedded.Runtime;

/// <summary>
/// The parts of the Dapr runtime gRPC API the dispatcher and the flow runner use: secrets (like
/// <c>secretstores.local.file</c> with <c>multiValued: true</c>: one key returns a map) and publish (delivered to the
/// app as daprd delivers it, through <see cref="InMemoryPubSub"/>). Dapr.Protos ships only the client stubs, so the
/// service binds its two methods itself, under daprd's own service name <c>dapr.proto.runtime.v1.Dapr</c>; every
/// other call answers Unimplemented, as a server without the method does. (gRPC binds only virtual methods
/// declared on the attributed type, hence not sealed.)
/// </summary>
[BindServiceMethod(typeof(DaprRuntimeApi), nameof(BindService))]
public class DaprRuntimeApi(InMemoryPubSub pubSub)
{
    private const string ServiceName = "dapr.proto.runtime.v1.Dapr";

    public static void BindService(ServiceBinderBase binder, DaprRuntimeApi? service)
    {
        binder.AddMethod(Unary(nameof(GetSecret), GetSecretRequest.Parser, GetSecretResponse.Parser),
            service is null ? null : service.GetSecret);
        binder.AddMethod(Unary(nameof(PublishEvent), PublishEventRequest.Parser, Empty.Parser),
            service is null ? null : service.PublishEvent);
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
    public ConcurrentQueue<(string Store, string Key, string? Namespace)> SecretReads { get; } = new();

    public virtual Task<GetSecretResponse> GetSecret(GetSecretRequest request, ServerCallContext context)
    {
        SecretReads.Enqueue((request.StoreName, request.Key, request.Metadata.TryGetValue("namespace", out var ns) ? ns : null));
        if (request.StoreName != "arkevent-secrets" || !Secrets.TryGetValue(request.Key, out var values))
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

    public virtual Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context)
    {
        pubSub.Publish(request.PubsubName, request.Topic, request.Data.ToByteArray(), request.DataContentType);
        return Task.FromResult(new Empty());
    }
}
