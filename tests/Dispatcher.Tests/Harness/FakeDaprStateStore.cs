using System.Collections.Concurrent;
using System.Globalization;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Arkonis.Dispatcher.Tests.Harness;

/// <summary>
/// The state part of the Dapr runtime gRPC API (<c>dapr.proto.runtime.v1.Dapr/GetState</c> and <c>SaveState</c>) with
/// daprd's ETag rules: a save with a stale ETag fails with <c>Aborted</c>, which DaprClient turns into
/// <c>TrySaveStateAsync == false</c>. Lets the checkpoint adapter run against the real DaprClient and serializer.
/// </summary>
[BindServiceMethod(typeof(FakeDaprStateStore), nameof(BindService))]
public class FakeDaprStateStore
{
    private const string ServiceName = "dapr.proto.runtime.v1.Dapr";
    private readonly ConcurrentDictionary<(string Store, string Key), (ByteString Value, long Version)> _state = new();
    private readonly Lock _lock = new();

    /// <summary>Before the next save that carries an ETag, another writer gets in first with this value.</summary>
    public (string Key, byte[] Value)? InterleaveWrite { get; set; }

    public int Saves { get; private set; }

    public static void BindService(ServiceBinderBase binder, FakeDaprStateStore? service)
    {
        binder.AddMethod(Unary(nameof(GetState), GetStateRequest.Parser, GetStateResponse.Parser), service is null ? null : service.GetState);
        binder.AddMethod(Unary(nameof(SaveState), SaveStateRequest.Parser, Empty.Parser), service is null ? null : service.SaveState);
        binder.AddMethod(Unary(nameof(DeleteState), DeleteStateRequest.Parser, Empty.Parser), service is null ? null : service.DeleteState);
    }

    public virtual Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context)
    {
        var response = new GetStateResponse();
        if (_state.TryGetValue((request.StoreName, request.Key), out var item))
        {
            response.Data = item.Value;
            response.Etag = item.Version.ToString(CultureInfo.InvariantCulture);
        }
        return Task.FromResult(response);
    }

    public virtual Task<Empty> SaveState(SaveStateRequest request, ServerCallContext context)
    {
        lock (_lock)
        {
            foreach (var item in request.States)
            {
                var key = (request.StoreName, item.Key);
                if (item.Etag is { Value.Length: > 0 } etag)
                {
                    if (InterleaveWrite is { } other && other.Key == item.Key)
                    {
                        InterleaveWrite = null;
                        Write(key, ByteString.CopyFrom(other.Value));
                    }
                    if (!_state.TryGetValue(key, out var current) || current.Version.ToString(CultureInfo.InvariantCulture) != etag.Value)
                    {
                        throw new RpcException(new Status(StatusCode.Aborted, "possible etag mismatch"));
                    }
                }
                else if (item.Options?.Concurrency == StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite && _state.ContainsKey(key))
                {
                    // First-write without an ETag inserts only when the key is absent (components-contrib
                    // state/mysql/mysql.go, state/etcd/etcd.go: "item already exists and no etag was passed").
                    throw new RpcException(new Status(StatusCode.Aborted, "possible etag mismatch"));
                }
                Write(key, item.Value);
            }
            Saves++;
        }
        return Task.FromResult(new Empty());
    }

    public virtual Task<Empty> DeleteState(DeleteStateRequest request, ServerCallContext context)
    {
        lock (_lock)
        {
            _state.TryRemove((request.StoreName, request.Key), out _);
        }
        return Task.FromResult(new Empty());
    }

    /// <summary>The keys of one store (for tests that look at what was stored).</summary>
    public IReadOnlyList<string> Keys(string store) => [.. _state.Keys.Where(k => k.Store == store).Select(k => k.Key)];

    /// <summary>The stored bytes of a key, or null.</summary>
    public byte[]? Get(string store, string key) => _state.TryGetValue((store, key), out var item) ? item.Value.ToByteArray() : null;

    private void Write((string, string) key, ByteString value) =>
        _state.AddOrUpdate(key, _ => (value, 1), (_, current) => (value, current.Version + 1));

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(
        string name, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        new(MethodType.Unary, ServiceName, name,
            Marshallers.Create(r => r.ToByteArray(), requestParser.ParseFrom),
            Marshallers.Create(r => r.ToByteArray(), responseParser.ParseFrom));

    /// <summary>Hosts a store on a loopback HTTP/2 port; returns the app (dispose it) and the gRPC endpoint.</summary>
    public static async Task<(WebApplication App, FakeDaprStateStore Store, string Endpoint)> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<FakeDaprStateStore>();
        var app = builder.Build();
        app.MapGrpcService<FakeDaprStateStore>();
        await app.StartAsync();
        var address = app.Urls.First();
        return (app, app.Services.GetRequiredService<FakeDaprStateStore>(), address);
    }
}
