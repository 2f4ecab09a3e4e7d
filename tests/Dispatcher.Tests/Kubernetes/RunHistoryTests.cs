using Arkonis.Dispatcher.Kubernetes.Completions;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

public sealed class RunHistoryTests
{
    private static ArkFlowRun Run(string name, string? phase, int minute, bool published = true) =>
        new("n", name, "ev", "p", "c", 0, phase, null, null, new DateTimeOffset(2026, 1, 1, 0, minute, 0, TimeSpan.Zero), null, published);

    [Fact]
    public void Keeps_the_newest_n_succeeded_and_m_failed_and_never_touches_running_or_unpublished_runs()
    {
        var runs = new[]
        {
            Run("s1", "Succeeded", 1), Run("s2", "Succeeded", 2), Run("s3", "Succeeded", 3), Run("s4", "Succeeded", 4),
            Run("f1", "Failed", 5), Run("f2", "Failed", 6),
            Run("r1", "Running", 0), Run("new", null, 0),
            Run("s0-unpublished", "Succeeded", 0, published: false),
        };
        var deleted = RunHistory.SelectForDeletion(runs, successfulLimit: 2, failedLimit: 1).Select(r => r.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["f1", "s1", "s2"], deleted);
    }

    [Fact]
    public void Defaults_are_three_succeeded_and_one_failed_and_zero_keeps_none()
    {
        var runs = Enumerable.Range(1, 5).Select(i => Run($"s{i}", "Succeeded", i)).Append(Run("f1", "Failed", 1)).Append(Run("f2", "Failed", 2)).ToList();
        Assert.Equal(["s2", "s1", "f1"], RunHistory.SelectForDeletion(runs, null, null).Select(r => r.Name));
        Assert.Equal(7, RunHistory.SelectForDeletion(runs, 0, 0).Count);
    }
}
