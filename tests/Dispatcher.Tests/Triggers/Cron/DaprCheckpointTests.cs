using System.Text.Json;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Triggers.Cron;
using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Arkonis.Dispatcher.Tests.Triggers.Cron;

/// <summary>The checkpoint adapter through the real DaprClient against the Dapr state API (gRPC), ETags included.</summary>
public sealed class DaprCheckpointTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);

    private WebApplication? _server;
    private FakeDaprStateStore _state = null!;
    private string _endpoint = "";
    private readonly List<DaprClient> _clients = [];

    public async Task InitializeAsync() => (_server, _state, _endpoint) = await FakeDaprStateStore.StartAsync();

    public async Task DisposeAsync()
    {
        _clients.ForEach(c => c.Dispose());
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_watermark_moves_only_forward_across_replicas_and_survives_a_lost_race()
    {
        var a = Store();
        var b = Store();

        Assert.Null((await a.LoadAsync(CancellationToken.None)).EvaluatedThrough);
        await a.AdvanceAsync(T0.AddSeconds(2), CancellationToken.None);
        await b.AdvanceAsync(T0.AddSeconds(1), CancellationToken.None); // behind: nothing written
        Assert.Equal(T0.AddSeconds(2), (await b.LoadAsync(CancellationToken.None)).EvaluatedThrough);

        // b reads, then a writes further ahead before b's save: b's save fails on the ETag, b re-reads and stops.
        _state.InterleaveWrite = (DaprCronCheckpointStore.WatermarkKey, JsonSerializer.SerializeToUtf8Bytes(
            new DaprCronCheckpointStore.Watermark(T0.AddSeconds(9)), Web));
        await b.AdvanceAsync(T0.AddSeconds(3), CancellationToken.None);
        Assert.Equal(T0.AddSeconds(9), (await a.LoadAsync(CancellationToken.None)).EvaluatedThrough);

        await b.AdvanceAsync(T0.AddSeconds(10), CancellationToken.None);
        Assert.Equal(T0.AddSeconds(10), (await a.LoadAsync(CancellationToken.None)).EvaluatedThrough);
    }

    [Fact]
    public async Task Known_schedules_round_trip()
    {
        var store = Store();
        var schedules = new Dictionary<string, SeenSchedule>
        {
            ["ai-team/nightly"] = new("uid-1|0 8 * * *|Europe/Berlin", T0, false),
            ["ai-team/paused"] = new("|* * * * *|UTC", T0.AddMinutes(-5), true),
        };
        await store.SaveSchedulesAsync(schedules, CancellationToken.None);

        var loaded = await Store().LoadAsync(CancellationToken.None);
        Assert.Equal(schedules, loaded.Schedules);
    }

    [Fact]
    public async Task A_restart_catches_up_through_the_Dapr_state_store()
    {
        var time = new FakeTimeProvider(T0.AddMilliseconds(500));
        var engine = new FakeRunEngine();
        using (var before = new CronReplica(time, engine, Store()))
        {
            before.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("every-minute", "* * * * *")));
            for (var i = 0; i < 90; i++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                await before.TickAsync();
            }
        }
        time.Advance(TimeSpan.FromMinutes(2)); // down through 10:02 and 10:03; now 10:03:30.5

        using var after = new CronReplica(time, engine, Store());
        after.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("every-minute", "* * * * *")));
        await after.TickAsync();

        Assert.Equal([T0.AddMinutes(1), T0.AddMinutes(3)], engine.Started.Select(r => r.Trigger.FiredAt));
        Assert.True(_state.Saves >= 90);
    }

    private DaprCronCheckpointStore Store()
    {
        var client = new DaprClientBuilder().UseGrpcEndpoint(_endpoint).Build();
        _clients.Add(client);
        return new DaprCronCheckpointStore(client, Options.Create(new CronTriggerOptions()));
    }
}
