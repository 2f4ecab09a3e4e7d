using Arkonis.Model.Runs;

namespace Arkonis.Model.Tests;

/// <summary>
/// Run ids are Dapr workflow instance ids. Dapr's workflow API accepts letters, digits, <c>_</c> and <c>-</c>, at most
/// 64 characters (dapr/dapr <c>pkg/api/universal/workflow.go</c>, <c>validateInstanceID</c>): every id made here must pass
/// that rule, whatever the names (DNS labels, up to 63 characters each).
/// </summary>
public sealed class RunIdsTests
{
    private static readonly string LongNs = new('n', 63);
    private static readonly string LongEvent = "e" + new string('x', 61) + "1";

    [Fact]
    public void Cron_id_is_the_scheduled_utc_minute()
    {
        var scheduled = new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.FromHours(2));
        Assert.Matches("^ai-team_nightly_cron_20260329T0100Z_[0-9a-f]{16}$", RunIds.ForCron("ai-team", "nightly", scheduled));
    }

    [Fact]
    public void Cron_id_ignores_seconds_so_a_late_tick_maps_to_the_same_run()
    {
        var a = RunIds.ForCron("ns", "e", new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero));
        var b = RunIds.ForCron("ns", "e", new DateTimeOffset(2026, 1, 1, 8, 0, 59, TimeSpan.Zero));
        Assert.Equal(a, b);
        Assert.NotEqual(a, RunIds.ForCron("ns", "e", new DateTimeOffset(2026, 1, 1, 8, 1, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Cron_ids_of_long_names_keep_the_minute_and_stay_distinct()
    {
        var minute = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        var a = RunIds.ForCron(LongNs, LongEvent, minute);
        var b = RunIds.ForCron(LongNs, LongEvent[..^1] + "2", minute);
        Assert.NotEqual(a, b);
        Assert.Contains("_cron_20260101T0800Z_", a, StringComparison.Ordinal);
        Assert.True(RunIds.IsWorkflowInstanceId(a), a);
        Assert.True(RunIds.IsWorkflowInstanceId(b), b);
    }

    [Fact]
    public void Names_that_split_differently_give_different_ids()
    {
        var at = DateTimeOffset.UnixEpoch;
        Assert.NotEqual(RunIds.ForCron("a-b", "c", at), RunIds.ForCron("a", "b-c", at));
        Assert.NotEqual(RunIds.ForIdempotencyKey("a-b", "c", "k"), RunIds.ForIdempotencyKey("a", "b-c", "k"));
    }

    [Fact]
    public void Flow_output_id_names_the_event_and_derives_from_the_upstream_run()
    {
        var id = RunIds.ForFlowOutput("ns", "b", "ns_a_cron_20260101T0800Z_0123456789abcdef");
        Assert.Matches("^ns_b_after_[0-9a-f]{16}$", id);
        Assert.Equal(id, RunIds.ForFlowOutput("ns", "b", "ns_a_cron_20260101T0800Z_0123456789abcdef"));
        Assert.NotEqual(id, RunIds.ForFlowOutput("ns", "b", "ns_a_cron_20260101T0801Z_0123456789abcdef"));
        Assert.NotEqual(id, RunIds.ForFlowOutput("ns", "c", "ns_a_cron_20260101T0800Z_0123456789abcdef"));
    }

    [Fact]
    public void Flow_output_chains_stay_bounded_and_deterministic()
    {
        var id = RunIds.ForCron("ns", "e0", DateTimeOffset.UnixEpoch);
        for (var i = 1; i <= 20; i++)
        {
            id = RunIds.ForFlowOutput("ns", $"event-number-{i}", id);
            Assert.True(RunIds.IsWorkflowInstanceId(id), id);
            Assert.True(RunIds.IsValid(id), id);
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
    public void Flow_output_accepts_an_upstream_id_with_any_characters()
    {
        var id = RunIds.ForFlowOutput("ns", "b", "runs/42");
        Assert.True(RunIds.IsWorkflowInstanceId(id), id);
        Assert.StartsWith("ns_b_after_", id, StringComparison.Ordinal);
        Assert.NotEqual(id, RunIds.ForFlowOutput("ns", "b", "runs/43"));
    }

    [Fact]
    public void Idempotency_key_id_is_a_hash_of_the_key()
    {
        var id = RunIds.ForIdempotencyKey("ns", "hook", "order-1234");
        Assert.Equal(id, RunIds.ForIdempotencyKey("ns", "hook", "order-1234"));
        Assert.NotEqual(id, RunIds.ForIdempotencyKey("ns", "hook", "order-1235"));
        Assert.NotEqual(id, RunIds.ForIdempotencyKey("ns", "other", "order-1234"));
        Assert.Matches("^ns_hook_key_[0-9a-f]{16}$", id);
        Assert.True(RunIds.IsWorkflowInstanceId(RunIds.ForIdempotencyKey("ns", "hook", "keys/with spaces/and ünïcode")));
    }

    [Fact]
    public void Webhook_ids_are_fresh()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => RunIds.NewWebhook("ns", "hook")).ToHashSet();
        Assert.Equal(1000, ids.Count);
        Assert.All(ids, id => Assert.Matches("^ns_hook_[0-9a-f]{32}$", id));
    }

    [Fact]
    public void Every_id_passes_daprs_instance_id_rule_at_the_longest_names()
    {
        string[] ids =
        [
            RunIds.ForCron(LongNs, LongEvent, DateTimeOffset.MaxValue.AddYears(-1)),
            RunIds.ForFlowOutput(LongNs, LongEvent, new string('u', 500)),
            RunIds.ForIdempotencyKey(LongNs, LongEvent, new string('k', 5000)),
            RunIds.NewWebhook(LongNs, LongEvent),
        ];
        Assert.All(ids, id =>
        {
            Assert.True(id.Length <= 64, id);
            Assert.Matches("^[A-Za-z0-9_-]+$", id);
            Assert.True(RunIds.IsWorkflowInstanceId(id), id);
            Assert.StartsWith("nnnnnnnn", id, StringComparison.Ordinal);
        });
        Assert.False(RunIds.IsWorkflowInstanceId("ns.e.cron.20260101T0800Z"));
        Assert.False(RunIds.IsWorkflowInstanceId(new string('a', 65)));
    }

    [Fact]
    public void Ids_of_earlier_versions_are_still_recognised()
    {
        Assert.True(RunIds.IsValid("ai-team.nightly.cron.20260101T0800Z"));
        Assert.True(RunIds.IsValid("ns.b.after." + new string('a', 189)));
        Assert.False(RunIds.IsValid("runs/42"));
        Assert.False(RunIds.IsValid(""));
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
