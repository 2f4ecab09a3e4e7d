using Arkonis.Model.Runs;

namespace Arkonis.Model.Tests;

public sealed class RunIdsTests
{
    [Fact]
    public void Cron_id_is_the_scheduled_utc_minute()
    {
        var scheduled = new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.FromHours(2));
        Assert.Equal("ai-team.nightly.cron.20260329T0100Z", RunIds.ForCron("ai-team", "nightly", scheduled));
    }

    [Fact]
    public void Cron_id_ignores_seconds_so_a_late_tick_maps_to_the_same_run()
    {
        var a = RunIds.ForCron("ns", "e", new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero));
        var b = RunIds.ForCron("ns", "e", new DateTimeOffset(2026, 1, 1, 8, 0, 59, TimeSpan.Zero));
        Assert.Equal(a, b);
    }

    [Fact]
    public void Flow_output_id_names_the_upstream_run()
    {
        Assert.Equal("ns.b.after.ns.a.cron.20260101T0800Z", RunIds.ForFlowOutput("ns", "b", "ns.a.cron.20260101T0800Z"));
    }

    [Fact]
    public void Flow_output_chains_stay_bounded_and_deterministic()
    {
        var id = RunIds.ForCron("ns", "e0", DateTimeOffset.UnixEpoch);
        for (var i = 1; i <= 20; i++)
        {
            id = RunIds.ForFlowOutput("ns", $"event-number-{i}", id);
            Assert.True(RunIds.IsValid(id), id);
            Assert.True(id.Length <= RunIds.MaxLength, id);
        }

        Assert.Equal(id, Rebuild());

        static string Rebuild()
        {
            var again = RunIds.ForCron("ns", "e0", DateTimeOffset.UnixEpoch);
            for (var i = 1; i <= 20; i++)
            {
                again = RunIds.ForFlowOutput("ns", $"event-number-{i}", again);
            }

            return again;
        }
    }

    [Fact]
    public void Flow_output_hashes_an_upstream_id_with_unsafe_characters()
    {
        var id = RunIds.ForFlowOutput("ns", "b", "runs/42");
        Assert.DoesNotContain('/', id);
        Assert.StartsWith("ns.b.after.h", id, StringComparison.Ordinal);
        Assert.NotEqual(id, RunIds.ForFlowOutput("ns", "b", "runs/43"));
    }

    [Fact]
    public void Idempotency_key_id_is_a_hash_of_the_key()
    {
        var id = RunIds.ForIdempotencyKey("ns", "hook", "order-1234");
        Assert.Equal(id, RunIds.ForIdempotencyKey("ns", "hook", "order-1234"));
        Assert.NotEqual(id, RunIds.ForIdempotencyKey("ns", "hook", "order-1235"));
        Assert.NotEqual(id, RunIds.ForIdempotencyKey("ns", "other", "order-1234"));
        Assert.Matches("^ns\\.hook\\.key\\.[0-9a-f]{32}$", id);
        Assert.True(RunIds.IsValid(RunIds.ForIdempotencyKey("ns", "hook", "keys/with spaces/and ünïcode")));
    }

    [Fact]
    public void Webhook_ids_are_fresh()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => RunIds.NewWebhook("ns", "hook")).ToHashSet();
        Assert.Equal(1000, ids.Count);
        Assert.All(ids, id => Assert.Matches("^ns\\.hook\\.[0-9a-f]{32}$", id));
    }

    [Fact]
    public void Correlation_id_is_deterministic_and_distinct_per_pipeline()
    {
        var run = RunIds.ForCron("ns", "e", DateTimeOffset.UnixEpoch);
        Assert.Equal(run + ".flow-a", RunIds.CorrelationId(run, "flow-a"));
        Assert.Equal(RunIds.CorrelationId(run, "flow-a"), RunIds.CorrelationId(run, "flow-a"));
        Assert.NotEqual(RunIds.CorrelationId(run, "flow-a"), RunIds.CorrelationId(run, "flow-b"));
        Assert.True(RunIds.IsValid(RunIds.CorrelationId(new string('x', 300), "p")));
    }
}
