using System.Net;
using Arkonis.Dispatcher.Activity;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Triggers.Cron;
using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Arkonis.Dispatcher.Tests.Triggers.Cron;

public sealed class CronAdapterTests
{
    [Fact]
    public async Task The_binding_route_answers_daprd_on_the_callback_port_only()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 10, 0, 30, TimeSpan.Zero));
        var engine = new FakeRunEngine();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddCronTrigger();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IRunLauncher>(engine);
        builder.Services.AddSingleton<IRunStatusSource>(engine);
        builder.Services.AddSingleton<ITriggerActivity>(new RecordingActivity());
        builder.Services.AddSingleton<ICronCheckpointStore>(new InMemoryCheckpointStore());
        await using var app = builder.Build();
        app.MapCronTrigger();
        await app.StartAsync();
        app.Services.GetRequiredService<Arkonis.Dispatcher.Catalog.ArkEventCatalog>()
            .Upsert(TestEvents.Entry(TestEvents.Cron("every-minute", "* * * * *")));
        var client = app.GetTestClient();

        using var options = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "http://localhost:8093/arkevent-cron"));
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);

        time.Advance(TimeSpan.FromSeconds(31)); // 10:01:01
        using var publicTick = await client.PostAsync("http://localhost:8092/arkevent-cron", new StringContent("", null, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, publicTick.StatusCode);
        Assert.Empty(engine.Started);

        // daprd's tick: empty body, JSON content type, its own time headers (which are not trusted).
        using var tick = new HttpRequestMessage(HttpMethod.Post, "http://localhost:8093/arkevent-cron") { Content = new StringContent("", null, "application/json") };
        tick.Headers.Add("Readtimeutc", "1999-01-01T00:00:00Z");
        using var response = await client.SendAsync(tick);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(body.Contains("\"started\":1", StringComparison.Ordinal), body);
        Assert.Single(engine.Started);
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 10, 2, 0, TimeSpan.Zero), app.Services.GetRequiredService<ICronScheduleView>().NextFireAt("ai-team", "every-minute"));
    }

    [Fact]
    public void Invalid_options_are_refused_at_start()
    {
        Assert.True(new CronTriggerOptions().IsValid(out _));
        Assert.False(new CronTriggerOptions { DefaultStartingDeadline = TimeSpan.FromSeconds(1) }.IsValid(out var error));
        Assert.Contains("DefaultStartingDeadline", error, StringComparison.Ordinal);
        Assert.False(new CronTriggerOptions { LaunchParallelism = 0 }.IsValid(out _));
    }

    [Fact]
    public async Task The_watermark_only_moves_forward_with_optimistic_concurrency()
    {
        var dapr = Substitute.For<DaprClient>();
        var later = new DateTimeOffset(2026, 6, 1, 10, 0, 5, TimeSpan.Zero);
        dapr.GetStateAndETagAsync<DaprCronCheckpointStore.Watermark?>("arkevent-state", DaprCronCheckpointStore.WatermarkKey, null, null, Arg.Any<CancellationToken>())
            .Returns((new DaprCronCheckpointStore.Watermark(later), "7"));
        var store = new DaprCronCheckpointStore(dapr, Options.Create(new CronTriggerOptions()));

        await store.AdvanceAsync(later.AddSeconds(-1), CancellationToken.None); // another replica is ahead
        await dapr.DidNotReceiveWithAnyArgs().TrySaveStateAsync<DaprCronCheckpointStore.Watermark>(default!, default!, default!, default!);

        dapr.TrySaveStateAsync("arkevent-state", DaprCronCheckpointStore.WatermarkKey, Arg.Any<DaprCronCheckpointStore.Watermark>(), "7", null, null, Arg.Any<CancellationToken>())
            .Returns(true);
        await store.AdvanceAsync(later.AddSeconds(1), CancellationToken.None);
        await dapr.Received(1).TrySaveStateAsync("arkevent-state", DaprCronCheckpointStore.WatermarkKey,
            new DaprCronCheckpointStore.Watermark(later.AddSeconds(1)), "7", null, null, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task The_ledger_counts_pending_running_and_suspended_runs_and_forgets_finished_ones()
    {
        var engine = new FakeRunEngine();
        var ledger = new RunLedger(engine, Options.Create(new CronTriggerOptions()), NullLogger<RunLedger>.Instance);
        foreach (var (id, status) in new[] { ("p", RunStatus.Pending), ("r", RunStatus.Running), ("s", RunStatus.Suspended), ("f", RunStatus.Finished) })
        {
            engine.Set(id, status);
            ledger.Record("ns", "e", id);
        }

        var active = await ledger.GetActiveAsync("ns", "e", ["unknown"], exceptRunId: "r", CancellationToken.None);

        Assert.Equal(["p", "s"], active.RunIds.Order());
        Assert.False(active.Uncertain);
        engine.StatusUnavailable = true;
        Assert.True((await ledger.GetActiveAsync("ns", "e", [], "x", CancellationToken.None)).Uncertain);
    }
}
