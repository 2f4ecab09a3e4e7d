using Arkonis.Dispatcher.Flows;
using Arkonis.Model.Runs;

namespace Arkonis.Dispatcher.Tests.Flows;

public sealed class CorrelationIdsTests
{
    [Theory]
    [InlineData("default.hello.0123456789abcdef0123456789abcdef", "echo")]
    [InlineData("ai-team.nightly.cron.20260101T0800Z", "digest-flow")]
    [InlineData("ai-team.after.after.ai-team.trigger.key.abcdef", "publish")]
    [InlineData("ai-team_nightly_cron_20260101T0800Z_0123456789abcdef", "digest-flow")]
    [InlineData("ai-team_hook_0123456789abcdef0123456789abcdef", "echo")]
    public void The_run_id_comes_back_out_of_a_correlation_id(string runId, string pipeline)
    {
        Assert.True(CorrelationIds.TryGetRunId(RunIds.CorrelationId(runId, pipeline), out var parsed));
        Assert.Equal(runId, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-dot")]
    [InlineData(".echo")]
    [InlineData("run.")]
    [InlineData("has space.echo")]
    public void Foreign_ids_are_not_ours(string correlationId) =>
        Assert.False(CorrelationIds.TryGetRunId(correlationId, out _));
}
