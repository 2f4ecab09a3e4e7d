using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Triggers.Concurrency;
using System.Net;
using Arkonis.Dispatcher.Reporting;
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
    public void Invalid_options_are_refused_at_start()
    {
        var validator = new CronTriggerOptionsValidator();
        Assert.True(validator.Validate(new CronTriggerOptions()).IsValid);
        var error = Assert.Single(validator.Validate(new CronTriggerOptions { DefaultStartingDeadline = TimeSpan.FromSeconds(1) }).Errors);
        Assert.Contains("DefaultStartingDeadline", error.PropertyName, StringComparison.Ordinal);
        Assert.False(validator.Validate(new CronTriggerOptions { LaunchParallelism = 0 }).IsValid);
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
        var ledger = new RunLedger(engine, Options.Create(new SidecarOptions()), NullLogger<RunLedger>.Instance);
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
