using Arkonis.Dispatcher.Kubernetes;
using Arkonis.Dispatcher.Tests.Harness;
using Microsoft.Extensions.Time.Testing;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

public sealed class KubernetesRetryTests
{
    public static TheoryData<int, double> Steps => new()
    {
        // retry (0 for the first), its step in ms with MinBackoff 200 ms and MaxBackoff 30 s
        { 0, 200 },
        { 1, 400 },
        { 4, 3200 },
        { 7, 25600 },
        { 8, 30000 },
        { 1000, 30000 },
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public void The_backoff_is_a_random_half_to_full_of_an_exponential_step_capped_at_the_maximum(int retry, double step)
    {
        for (var i = 0; i < 50; i++)
        {
            var delay = KubernetesRetry.Backoff(retry, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30)).TotalMilliseconds;
            Assert.InRange(delay, step / 2, step);
        }
    }

    [Fact]
    public async Task A_pipeline_retries_on_the_injected_clock_and_returns_the_last_outcome()
    {
        var time = new FakeTimeProvider();
        var tries = 0;
        var pipeline = KubernetesRetry.WhileOutcome<int>(n => n < 3, _ => TimeSpan.FromMinutes(1), time, maxRetryAttempts: 5);

        var started = time.GetUtcNow();
        var run = pipeline.ExecuteAsync(_ => ValueTask.FromResult(Interlocked.Increment(ref tries))).AsTask();
        // A minute apart on the system clock would outlast the deadline: only the fake clock moves this along.
        await Eventually.Until(() =>
        {
            if (!run.IsCompleted)
            {
                time.Advance(TimeSpan.FromSeconds(20));
            }
            return run.IsCompleted;
        }, "retried on the fake clock");

        Assert.Equal(3, await run);
        Assert.Equal(3, tries);
        Assert.True(time.GetUtcNow() - started >= TimeSpan.FromMinutes(2), "two waits of a minute");
    }

    [Fact]
    public async Task A_pipeline_gives_up_after_its_retries_with_the_last_outcome()
    {
        var tries = 0;
        var pipeline = KubernetesRetry.WhileOutcome<int>(_ => true, _ => TimeSpan.Zero, TimeProvider.System, maxRetryAttempts: 2);

        Assert.Equal(3, await pipeline.ExecuteAsync(_ => ValueTask.FromResult(++tries)));
    }
}
