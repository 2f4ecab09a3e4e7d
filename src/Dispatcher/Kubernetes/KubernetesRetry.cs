using Polly;
using Polly.Retry;

namespace Arkonis.Dispatcher.Kubernetes;

/// <summary>
/// How the dispatcher retries against the API server, through Polly: the shared backoff shape (exponential from
/// <see cref="KubernetesModeOptions.MinBackoff"/> to <see cref="KubernetesModeOptions.MaxBackoff"/>, each delay a random
/// half to full of its step, so replicas do not retry in step) and a retry pipeline over the outcome of one try.
/// Compare-and-swap loops (re-read on a lost race) are the callers' own logic, inside the try.
/// </summary>
internal static class KubernetesRetry
{
    /// <summary>The wait before retry number <paramref name="attempt"/> (0 for the first retry).</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan min, TimeSpan max)
    {
        var step = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds(step * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    /// <summary>The wait before retry number <paramref name="attempt"/>, with the options' bounds.</summary>
    public static TimeSpan Backoff(int attempt, KubernetesModeOptions options) => Backoff(attempt, options.MinBackoff, options.MaxBackoff);

    /// <summary>
    /// Runs a try again while its outcome says so (an exception is not retried: the try decides what failed how),
    /// waiting what <paramref name="delay"/> says, at most <paramref name="maxRetryAttempts"/> times; the last outcome is returned.
    /// </summary>
    public static ResiliencePipeline<T> WhileOutcome<T>(
        Func<T, bool> retry, Func<RetryDelayGeneratorArguments<T>, TimeSpan> delay, TimeProvider time, int maxRetryAttempts = int.MaxValue) =>
        new ResiliencePipelineBuilder<T> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<T>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is null && retry(args.Outcome.Result!)),
                MaxRetryAttempts = maxRetryAttempts,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(delay(args)),
            })
            .Build();
}
