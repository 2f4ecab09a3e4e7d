using Arkonis.Embedded.Runtime;
using Dapr;
using Dapr.Client;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace Arkonis.Embedded.Tests;

/// <summary>
/// The state store honours <c>ttlInSeconds</c> as daprd's <c>state.in-memory</c> does (dapr/components-contrib
/// <c>state/in-memory/in_memory.go</c>): <c>doParseTTLInSeconds</c> (absent, empty or negative is no expiry, anything
/// but an integer fails the save), <c>doSet</c> (the expiry is now plus the TTL, reset by each save),
/// <c>doGetWithWriteLock</c> / <c>isExpired</c> (a key read once the clock is past its expiry is gone),
/// <c>startCleanThread</c> / <c>doCleanExpiredItems</c> (every second, expired keys are removed unread). The dispatcher
/// saves its run claims and stored payloads so (src/Dispatcher/Workflows/DaprRunClaims.cs, DaprRunPayloadStore.cs).
/// </summary>
public sealed class StateTtlTests : IDisposable
{
    private const string Store = "arkevent-state";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
    private readonly InMemoryStateStore _state;

    public StateTtlTests() => _state = new InMemoryStateStore(_time);

    public void Dispose() => _state.Dispose();

    private static ByteString Value(string text) => ByteString.CopyFromUtf8(text);

    private void Save(string key, string value, int ttlInSeconds = 0, string? etag = null, bool firstWrite = false) =>
        _state.Apply([StateChange.Upsert(key, Value(value), etag, firstWrite, ttlInSeconds)]);

    [Fact]
    public void A_key_saved_with_a_TTL_reads_until_its_expiry_and_is_gone_once_the_clock_is_past_it()
    {
        Save("claim", "run-1", ttlInSeconds: 10);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("run-1", _state.Get("claim")?.Value.ToStringUtf8());

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(_state.Get("claim"));
        Assert.Empty(_state.Keys());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Without_a_TTL_or_with_zero_or_minus_one_a_key_stays(int ttlInSeconds)
    {
        Save("watermark", "1", ttlInSeconds);

        _time.Advance(TimeSpan.FromDays(30));

        Assert.Equal("1", _state.Get("watermark")?.Value.ToStringUtf8());
        Assert.Equal(1, _state.Held);
    }

    [Fact]
    public void Expired_keys_are_swept_without_being_read()
    {
        for (var i = 0; i < 100; i++)
        {
            Save($"payload-{i}", "body", ttlInSeconds: 60);
        }
        Save("kept", "1");
        Assert.Equal(101, _state.Held);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(101, _state.Held);

        // Past the expiry, the next sweep (every second) removes them: nothing reads them first.
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, _state.Held);
        Assert.Equal(["kept"], _state.Keys());
    }

    [Fact]
    public void A_save_without_a_TTL_ends_the_previous_expiry()
    {
        Save("claim", "1", ttlInSeconds: 10);
        Save("claim", "2");

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal("2", _state.Get("claim")?.Value.ToStringUtf8());
    }

    [Fact]
    public void An_expired_key_is_absent_to_a_first_write_and_to_an_ETag()
    {
        Save("claim", "run-1", ttlInSeconds: 10);
        var etag = _state.Get("claim")!.ETag;
        Assert.Throws<RpcException>(() => Save("claim", "run-2", firstWrite: true));

        _time.Advance(TimeSpan.FromSeconds(11));

        // The claim expired: its ETag no longer matches anything, and a first write claims the key again.
        var stale = Assert.Throws<RpcException>(() => Save("claim", "run-2", etag: etag));
        Assert.Equal(StatusCode.Aborted, stale.StatusCode);
        Save("claim", "run-3", ttlInSeconds: 10, firstWrite: true);
        Assert.Equal("run-3", _state.Get("claim")?.Value.ToStringUtf8());
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData("", 0)]
    [InlineData("3600", 3600)]
    [InlineData("-1", 0)]
    public void The_TTL_metadata_is_read_as_the_component_reads_it(string? text, int expected)
    {
        var metadata = text is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["ttlInSeconds"] = text };
        Assert.Equal(expected, StateChange.TtlOf(metadata));
    }

    [Fact]
    public void A_TTL_that_is_not_an_integer_fails_the_save()
    {
        Assert.Throws<RpcException>(() => StateChange.TtlOf(new Dictionary<string, string> { ["ttlInSeconds"] = "1h" }));
    }

    [Fact]
    public async Task Saves_and_transactions_through_the_API_carry_their_TTL()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
        await using var runtime = await EmbeddedDaprRuntime.StartAsync(new EmbeddedRuntimeOptions { Time = time });
        using var dapr = new DaprClientBuilder().UseGrpcEndpoint(runtime.GrpcEndpoint).UseHttpEndpoint(runtime.HttpEndpoint).Build();
        var ttl = new Dictionary<string, string> { ["ttlInSeconds"] = "60" };

        await dapr.SaveStateAsync(Store, "saved", new Marker(1), metadata: ttl);
        await dapr.SaveBulkStateAsync(Store, [new SaveStateItem<Marker>("bulk", new Marker(2), string.Empty, metadata: ttl)]);
        await dapr.ExecuteStateTransactionAsync(Store,
            [new StateTransactionRequest("transacted", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Marker(3)), StateOperationType.Upsert, metadata: ttl)]);
        await dapr.SaveStateAsync(Store, "kept", new Marker(4));
        Assert.Equal(new Marker(1), await dapr.GetStateAsync<Marker>(Store, "saved"));

        time.Advance(TimeSpan.FromSeconds(61));

        Assert.Null(await dapr.GetStateAsync<Marker?>(Store, "saved"));
        var bulk = await dapr.GetBulkStateAsync(Store, ["saved", "bulk", "transacted", "kept"], parallelism: 1);
        Assert.Equal(["kept"], bulk.Where(i => !string.IsNullOrEmpty(i.Value)).Select(i => i.Key));
        Assert.Equal(["kept"], runtime.State.Keys());

        await Assert.ThrowsAsync<DaprException>(() =>
            dapr.SaveStateAsync(Store, "bad", new Marker(5), metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "soon" }));
    }

    private sealed record Marker(int N);
}
