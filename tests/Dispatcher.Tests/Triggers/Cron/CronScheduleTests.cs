using Arkonis.Dispatcher.Triggers.Concurrency;
using Arkonis.Dispatcher.Triggers;
using Arkonis.Dispatcher.Triggers.Cron;
using Arkonis.Model.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using System.Diagnostics.Metrics;

namespace Arkonis.Dispatcher.Tests.Triggers.Cron;

/// <summary>The clock is simulated: every test advances a fake TimeProvider and ticks as daprd's binding would.</summary>
public sealed class CronScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 10, 0, 0, 500, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly FakeRunEngine _engine = new();
    private readonly InMemoryCheckpointStore _store = new();

    [Fact]
    public async Task Every_minute_over_a_simulated_hour_of_one_second_ticks_starts_exactly_60_runs()
    {
        using var replica = new CronReplica(_time, _engine, _store);
        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("hourly-report", "* * * * *")));

        await TickEverySecondAsync(TimeSpan.FromHours(1), replica);

        Assert.Equal(60, _engine.Started.Count);
        var expected = Enumerable.Range(1, 60).Select(i => new DateTimeOffset(2026, 6, 1, 10, 0, 0, TimeSpan.Zero).AddMinutes(i)).ToList();
        Assert.Equal(expected, _engine.Started.Select(r => r.Trigger.FiredAt).ToList());
        Assert.Equal(expected.Select(t => RunIds.ForCron("ai-team", "hourly-report", t)), _engine.Started.Select(r => r.RunId));
        Assert.All(_engine.Started, r => Assert.Equal("cron", r.Trigger.Cause));
        Assert.Empty(replica.Activity.Skipped);
    }

    [Fact]
    public async Task Repeated_ticks_at_the_same_instant_start_nothing_new()
    {
        using var replica = new CronReplica(_time, _engine, _store);
        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("every-minute", "* * * * *")));

        _time.Advance(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 5; i++)
        {
            await replica.TickAsync();
        }

        Assert.Single(_engine.Started);
    }

    public static TheoryData<string, string, DateTimeOffset, DateTimeOffset, DateTimeOffset[]> DaylightSavingCases => new()
    {
        // Berlin springs forward 2026-03-29 02:00 CET -> 03:00 CEST: 02:30 does not exist, it runs once at 03:00 CEST.
        { "Europe/Berlin", "30 2 * * *", At(2026, 3, 28, 22), At(2026, 3, 29, 6), [At(2026, 3, 29, 1)] },
        // Berlin falls back 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 happens twice, it runs once (the first).
        { "Europe/Berlin", "30 2 * * *", At(2026, 10, 24, 22), At(2026, 10, 25, 6), [At(2026, 10, 25, 0, 30)] },
        // Hourly across the spring change: the local day has 23 hours, and 23 fires in UTC every hour.
        { "Europe/Berlin", "0 * * * *", At(2026, 3, 28, 22, 59), At(2026, 3, 29, 21, 30), [.. Enumerable.Range(0, 23).Select(h => At(2026, 3, 28, 23).AddHours(h))] },
        // Every 30 minutes across the autumn change: nothing is doubled or dropped in UTC.
        { "Europe/Berlin", "*/30 * * * *", At(2026, 10, 24, 23, 45), At(2026, 10, 25, 2, 10), [At(2026, 10, 25, 0), At(2026, 10, 25, 0, 30), At(2026, 10, 25, 1), At(2026, 10, 25, 1, 30), At(2026, 10, 25, 2)] },
        // New York springs forward 2026-03-08 02:00 EST -> 03:00 EDT: 02:30 runs at 03:00 EDT (07:00Z).
        { "America/New_York", "30 2 * * *", At(2026, 3, 7, 12), At(2026, 3, 8, 12), [At(2026, 3, 8, 7)] },
        // New York falls back 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 happens twice, it runs once at 01:30 EDT (05:30Z).
        { "America/New_York", "30 1 * * *", At(2026, 10, 31, 12), At(2026, 11, 1, 12), [At(2026, 11, 1, 5, 30)] },
        // A daily 09:00 keeps 09:00 local on both sides of the change (14:00Z in winter, 13:00Z in summer).
        { "America/New_York", "0 9 * * *", At(2026, 3, 7, 0), At(2026, 3, 10, 0), [At(2026, 3, 7, 14), At(2026, 3, 8, 13), At(2026, 3, 9, 13)] },
    };

    [Theory]
    [MemberData(nameof(DaylightSavingCases))]
    public async Task Fires_at_the_right_instants_across_daylight_saving_changes(string zone, string cron, DateTimeOffset from, DateTimeOffset to, DateTimeOffset[] expected)
    {
        var time = new FakeTimeProvider(from);
        using var replica = new CronReplica(time, _engine, _store);
        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("dst", cron, zone)));

        // Ticks every 5 s (the binding's interval is configurable); lateness stays far inside the deadline.
        while (time.GetUtcNow() < to)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await replica.TickAsync();
        }

        Assert.Equal(expected, _engine.Started.Select(r => r.Trigger.FiredAt).ToArray());
    }

    [Fact]
    public async Task A_new_event_never_fires_for_times_before_it_was_seen()
    {
        using var replica = new CronReplica(_time, _engine, _store);
        // 10:00:00 passed half a second ago, well within any starting deadline.
        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("daily", "0 10 * * *")));

        await TickEverySecondAsync(TimeSpan.FromMinutes(10), replica);

        Assert.Empty(_engine.Started);
        Assert.Equal(new DateTimeOffset(2026, 6, 2, 10, 0, 0, TimeSpan.Zero), replica.Evaluator.NextFireAt("ai-team", "daily"));
    }

    [Fact]
    public async Task A_changed_schedule_starts_from_when_the_change_was_seen()
    {
        using var replica = new CronReplica(_time, _engine, _store);
        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("report", "0 12 * * *")));
        await TickEverySecondAsync(TimeSpan.FromMinutes(5), replica); // 10:05:00.5

        // The new schedule had an occurrence at 10:05:00, before the change: it does not fire.
        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("report", "*/5 * * * *")));
        await TickEverySecondAsync(TimeSpan.FromMinutes(5), replica); // 10:10:00.5

        Assert.Equal([new DateTimeOffset(2026, 6, 1, 10, 10, 0, TimeSpan.Zero)], _engine.Started.Select(r => r.Trigger.FiredAt));
    }

    [Fact]
    public async Task A_removed_event_stops_firing()
    {
        using var replica = new CronReplica(_time, _engine, _store);
        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("gone", "* * * * *")));
        await TickEverySecondAsync(TimeSpan.FromMinutes(2), replica);
        replica.Catalog.Remove("ai-team", "gone");
        await TickEverySecondAsync(TimeSpan.FromMinutes(3), replica);

        Assert.Equal(2, _engine.Started.Count);
        Assert.Null(replica.Evaluator.NextFireAt("ai-team", "gone"));
    }

    [Fact]
    public async Task Three_replicas_fed_the_same_ticks_start_exactly_one_run_per_occurrence()
    {
        var replicas = Enumerable.Range(0, 3).Select(_ => new CronReplica(_time, _engine, _store)).ToList();
        foreach (var replica in replicas)
        {
            replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("every-minute", "* * * * *")));
            replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("every-seven", "*/7 * * * *", policy: "Forbid")));
            replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("replacing", "*/2 * * * *", policy: "Replace")));
        }

        for (var second = 0; second < 3600; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            // Every replica receives the tick, at the same moment, in no particular order.
            await Task.WhenAll(replicas.Select(r => Task.Run(r.TickAsync)));
            if (second % 60 == 30)
            {
                _engine.FinishAll(); // runs last under a minute, so Forbid never blocks here
            }
        }

        var byEvent = _engine.Started.GroupBy(r => r.Event.Name).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(60, byEvent["every-minute"]);
        Assert.Equal(9, byEvent["every-seven"]); // 10:07 … 10:56, and 11:00
        Assert.Equal(30, byEvent["replacing"]);
        Assert.Equal(_engine.Started.Count, _engine.Started.Select(r => r.RunId).Distinct().Count());
        Assert.Equal(99 * 3, _engine.Attempts); // every replica tried every occurrence; the launcher let one through
        replicas.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Forbid_skips_while_the_previous_run_is_pending_or_running_and_reports_a_skip_not_a_fire()
    {
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = meters.GetRequiredService<IMeterFactory>();
        using var recorder = new MetricRecorder(factory);
        using var replica = new CronReplica(_time, _engine, _store, meterFactory: factory);
        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("slow", "* * * * *", policy: "Forbid")));

        await TickEverySecondAsync(TimeSpan.FromMinutes(1), replica); // 10:01 starts; it stays Pending
        var first = Assert.Single(_engine.Started).RunId;
        await TickEverySecondAsync(TimeSpan.FromMinutes(1), replica); // 10:02: skipped (Pending counts)
        _engine.Set(first, RunStatus.Running);
        await TickEverySecondAsync(TimeSpan.FromMinutes(1), replica); // 10:03: skipped (Running)
        _engine.Set(first, RunStatus.Finished);
        await TickEverySecondAsync(TimeSpan.FromMinutes(1), replica); // 10:04 fires

        Assert.Equal([At(2026, 6, 1, 10, 1), At(2026, 6, 1, 10, 4)], _engine.Started.Select(r => r.Trigger.FiredAt));
        Assert.Equal(2, replica.Activity.Skipped.Count(s => s.Reason == TriggerSkipReasons.Forbid));
        Assert.Equal(2, recorder.Sum("arkevent.trigger.skips", TriggerSkipReasons.Forbid));
        Assert.Equal(2, recorder.Sum("arkevent.trigger.fires"));
    }

    [Fact]
    public async Task Forbid_sees_a_run_started_before_a_restart_through_the_derived_run_id()
    {
        using (var before = new CronReplica(_time, _engine, _store))
        {
            before.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("slow", "* * * * *", policy: "Forbid")));
            await TickEverySecondAsync(TimeSpan.FromMinutes(1), before); // 10:01 starts, still running
        }
        _engine.Set(_engine.Started[0].RunId, RunStatus.Running);

        using var after = new CronReplica(_time, _engine, _store); // empty ledger, nothing in memory
        after.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("slow", "* * * * *", policy: "Forbid")));
        await TickEverySecondAsync(TimeSpan.FromMinutes(1), after); // 10:02

        Assert.Single(_engine.Started);
        Assert.Contains(after.Activity.Skipped, s => s.Reason == TriggerSkipReasons.Forbid);
    }

    [Fact]
    public async Task Forbid_skips_when_the_run_state_cannot_be_read()
    {
        using var replica = new CronReplica(_time, _engine, _store);
        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("slow", "* * * * *", policy: "Forbid")));
        await TickEverySecondAsync(TimeSpan.FromMinutes(1), replica);
        _engine.StatusUnavailable = true;
        await TickEverySecondAsync(TimeSpan.FromMinutes(1), replica);

        Assert.Single(_engine.Started);
    }

    [Fact]
    public async Task Replace_terminates_the_running_run_and_starts_the_new_one()
    {
        using var replica = new CronReplica(_time, _engine, _store);
        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("latest-wins", "* * * * *", policy: "Replace")));

        await TickEverySecondAsync(TimeSpan.FromMinutes(1), replica);
        var first = _engine.Started[0].RunId;
        _engine.Set(first, RunStatus.Running);
        await TickEverySecondAsync(TimeSpan.FromMinutes(1), replica);

        Assert.Equal(2, _engine.Started.Count);
        Assert.Equal([first], _engine.Terminated);
        Assert.Equal(RunStatus.Pending, _engine.StatusOf(_engine.Started[1].RunId));
    }

    [Fact]
    public async Task Allow_lets_runs_overlap()
    {
        using var replica = new CronReplica(_time, _engine, _store);
        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("overlap", "* * * * *")));
        await TickEverySecondAsync(TimeSpan.FromMinutes(3), replica);

        Assert.Equal(3, _engine.Started.Count);
        Assert.Empty(_engine.Terminated);
    }

    [Fact]
    public async Task Suspended_events_do_not_fire_and_resuming_does_not_replay_what_was_missed()
    {
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = meters.GetRequiredService<IMeterFactory>();
        using var recorder = new MetricRecorder(factory);
        using var replica = new CronReplica(_time, _engine, _store, meterFactory: factory);
        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("pausable", "* * * * *")));
        await TickEverySecondAsync(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(30), replica); // 10:01 … 10:05

        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("pausable", "* * * * *", suspend: true)));
        Assert.Null(replica.Evaluator.NextFireAt("ai-team", "pausable"));
        await TickEverySecondAsync(TimeSpan.FromMinutes(15), replica); // until 10:20:31

        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("pausable", "* * * * *")));
        Assert.Equal(At(2026, 6, 1, 10, 21), replica.Evaluator.NextFireAt("ai-team", "pausable"));
        await TickEverySecondAsync(TimeSpan.FromMinutes(2), replica); // 10:21, 10:22

        Assert.Equal(
            [.. Enumerable.Range(1, 5).Select(m => At(2026, 6, 1, 10, m)), At(2026, 6, 1, 10, 21), At(2026, 6, 1, 10, 22)],
            _engine.Started.Select(r => r.Trigger.FiredAt).ToArray());
        Assert.Equal(15, recorder.Sum("arkevent.trigger.skips", TriggerSkipReasons.Suspended));
        Assert.Empty(replica.Activity.Skipped); // counted, but not reported as an event every minute
    }

    [Fact]
    public async Task A_restart_within_the_starting_deadline_fires_the_most_recent_missed_occurrence_once()
    {
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = meters.GetRequiredService<IMeterFactory>();
        using var recorder = new MetricRecorder(factory);
        using (var before = new CronReplica(_time, _engine, _store))
        {
            before.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("every-minute", "* * * * *")));
            await TickEverySecondAsync(TimeSpan.FromMinutes(13), before); // 10:01 … 10:13
        }
        var startedBefore = _engine.Started.Count;

        _time.Advance(TimeSpan.FromMinutes(3)); // down: 10:14, 10:15, 10:16 missed; now 10:16:00.5
        using var after = new CronReplica(_time, _engine, _store, meterFactory: factory);
        after.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("every-minute", "* * * * *")));
        await after.TickAsync();

        var caughtUp = _engine.Started.Skip(startedBefore).Select(r => r.Trigger.FiredAt).ToList();
        Assert.Equal([At(2026, 6, 1, 10, 16)], caughtUp);
        Assert.Equal(2, recorder.Sum("arkevent.trigger.skips", TriggerSkipReasons.DeadlineMissed));
        Assert.Contains(after.Activity.Skipped, s => s.Reason == TriggerSkipReasons.DeadlineMissed);
    }

    [Fact]
    public async Task A_restart_beyond_the_starting_deadline_skips_and_counts_and_then_runs_on_schedule()
    {
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = meters.GetRequiredService<IMeterFactory>();
        using var recorder = new MetricRecorder(factory);
        var arkEvent = TestEvents.Cron("five", "*/5 * * * *", startingDeadlineSeconds: 60);
        using (var before = new CronReplica(_time, _engine, _store))
        {
            before.Catalog.Upsert(TestEvents.Entry(arkEvent));
            await TickEverySecondAsync(TimeSpan.FromSeconds(30), before); // 10:00:30.5; nothing due yet
        }

        _time.Advance(TimeSpan.FromMinutes(12) + TimeSpan.FromSeconds(30)); // down through 10:05 and 10:10; now 10:13:01
        using var after = new CronReplica(_time, _engine, _store, meterFactory: factory);
        after.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("five", "*/5 * * * *", startingDeadlineSeconds: 60)));
        await after.TickAsync();
        Assert.Empty(_engine.Started);
        Assert.Equal(2, recorder.Sum("arkevent.trigger.skips", TriggerSkipReasons.DeadlineMissed));

        await TickEverySecondAsync(TimeSpan.FromMinutes(2), after);
        Assert.Equal([At(2026, 6, 1, 10, 15)], _engine.Started.Select(r => r.Trigger.FiredAt));
    }

    [Fact]
    public async Task After_a_long_pause_the_catch_up_is_bounded_and_still_fires_the_most_recent_occurrence()
    {
        var options = new CronTriggerOptions { MaxCountedMissed = 5 };
        using (var before = new CronReplica(_time, _engine, _store, options: options))
        {
            before.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("frequent", "* * * * *", startingDeadlineSeconds: 3600)));
            await before.TickAsync();
        }
        _time.Advance(TimeSpan.FromHours(3)); // now 13:00:01.5; 180 occurrences missed, 60 of them within the deadline

        using var after = new CronReplica(_time, _engine, _store, options: options);
        after.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("frequent", "* * * * *", startingDeadlineSeconds: 3600)));
        await after.TickAsync();

        Assert.Equal([At(2026, 6, 1, 13, 0)], _engine.Started.Select(r => r.Trigger.FiredAt));
        Assert.Equal(At(2026, 6, 1, 13, 1), after.Evaluator.NextFireAt("ai-team", "frequent"));
    }

    [Fact]
    public async Task A_restart_right_after_a_fire_does_not_fire_it_again()
    {
        using (var before = new CronReplica(_time, _engine, _store))
        {
            before.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("every-minute", "* * * * *")));
            await TickEverySecondAsync(TimeSpan.FromMinutes(1), before); // 10:01 fires, at 10:01:00.5
        }
        _time.Advance(TimeSpan.FromMilliseconds(200));
        var attempts = _engine.Attempts;
        using var after = new CronReplica(_time, _engine, _store);
        after.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("every-minute", "* * * * *")));
        await TickEverySecondAsync(TimeSpan.FromSeconds(30), after);

        Assert.Single(_engine.Started);
        Assert.Equal(attempts, _engine.Attempts); // the watermark says 10:01 was decided: not even re-checked
    }

    [Fact]
    public async Task A_stale_checkpoint_re_checks_but_never_double_fires()
    {
        using (var before = new CronReplica(_time, _engine, _store))
        {
            before.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("every-minute", "* * * * *")));
            await TickEverySecondAsync(TimeSpan.FromSeconds(30), before);
            _store.DropWrites = true; // the state store loses everything written from 10:00:30 on
            await TickEverySecondAsync(TimeSpan.FromSeconds(31), before); // 10:01 fires
        }
        Assert.Single(_engine.Started);
        var attempts = _engine.Attempts;

        using var after = new CronReplica(_time, _engine, _store);
        after.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("every-minute", "* * * * *")));
        await TickEverySecondAsync(TimeSpan.FromMinutes(1), after);

        // 10:01 was evaluated again (the checkpoint said 10:00:30) and the launcher found its run: nothing new.
        Assert.Equal(attempts + 2, _engine.Attempts);
        Assert.Equal([At(2026, 6, 1, 10, 1), At(2026, 6, 1, 10, 2)], _engine.Started.Select(r => r.Trigger.FiredAt));
    }

    [Fact]
    public async Task Without_a_checkpoint_every_event_counts_as_first_seen()
    {
        using (var before = new CronReplica(_time, _engine, _store))
        {
            before.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("every-minute", "* * * * *")));
            await TickEverySecondAsync(TimeSpan.FromMinutes(1), before);
        }
        _time.Advance(TimeSpan.FromMinutes(2));
        using var after = new CronReplica(_time, _engine, new InMemoryCheckpointStore { Unavailable = true });
        after.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("every-minute", "* * * * *")));
        await TickEverySecondAsync(TimeSpan.FromMinutes(1), after);

        Assert.Equal([At(2026, 6, 1, 10, 1), At(2026, 6, 1, 10, 4)], _engine.Started.Select(r => r.Trigger.FiredAt));
    }

    [Fact]
    public async Task A_failed_launch_is_retried_on_the_next_tick_and_not_lost()
    {
        using var replica = new CronReplica(_time, _engine, _store);
        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("flaky", "* * * * *")));
        var failures = 3;
        _engine.FailWith = _ => Interlocked.Decrement(ref failures) >= 0 ? new TimeoutException("sidecar unavailable") : null;

        await TickEverySecondAsync(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(5), replica);

        Assert.Equal([At(2026, 6, 1, 10, 1)], _engine.Started.Select(r => r.Trigger.FiredAt));
        Assert.True(_store.Watermark > At(2026, 6, 1, 10, 1));
    }

    [Fact]
    public async Task Lateness_and_tick_duration_are_measured()
    {
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = meters.GetRequiredService<IMeterFactory>();
        using var recorder = new MetricRecorder(factory);
        using var replica = new CronReplica(_time, _engine, _store, meterFactory: factory);
        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("every-minute", "* * * * *")));

        await TickEverySecondAsync(TimeSpan.FromMinutes(2), replica);

        Assert.Equal([0.5, 0.5], recorder.Values("arkevent.cron.lateness"));
        Assert.Equal(120, recorder.Values("arkevent.cron.tick.duration").Count);
    }

    [Fact]
    public async Task Invalid_or_non_cron_events_are_not_scheduled()
    {
        using var replica = new CronReplica(_time, _engine, _store);
        replica.Catalog.Upsert(new Arkonis.Dispatcher.Catalog.CatalogEntry(TestEvents.Cron("bad", "* * * * *"), ["spec.source.cron: Invalid value"]));
        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.FlowOutput("chained", "upstream")));
        replica.Catalog.Upsert(TestEvents.Entry(TestEvents.Cron("unparsable", "not a cron")));
        await TickEverySecondAsync(TimeSpan.FromMinutes(2), replica);

        Assert.Empty(_engine.Started);
        Assert.Equal(0, replica.Evaluator.Count);
    }

    private async Task TickEverySecondAsync(TimeSpan duration, CronReplica replica)
    {
        var end = _time.GetUtcNow() + duration;
        while (_time.GetUtcNow() < end)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await replica.TickAsync();
        }
    }

    private static DateTimeOffset At(int year, int month, int day, int hour, int minute = 0) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);
}
