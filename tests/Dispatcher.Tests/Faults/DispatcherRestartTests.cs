using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Harness;

namespace Arkonis.Dispatcher.Tests.Faults;

/// <summary>
/// The dispatcher process restarted in the middle of a fan-out while its sidecar keeps the workflow state: the new
/// process's worker connects to the same runtime and the run goes on from its history. One target's flow was started
/// but the answer never reached the activity before the process went away, so its result is not in the history: the
/// engine dispatches that activity again (dapr/durabletask-go <c>backend/executor.go</c>: a dropped stream's pending
/// work items are cancelled and re-run; modelled by <see cref="WorkItemHandBack"/>), and the start must not start a
/// second flow. The flow runner dedupes by the correlation id (samples/FlowRunner/FlowRuns.cs; in a cluster the
/// ArkFlow's name, src/Dispatcher/Kubernetes/Flows/KubernetesFlowRunner.cs), so every target runs exactly once.
/// </summary>
public sealed class DispatcherRestartTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_restart_mid_fan_out_resumes_the_run_and_starts_each_target_flow_exactly_once()
    {
        await using var host = await FaultHost.StartAsync(TestEvents.All);
        var betaTaken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseBeta = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var betaAnswers = 0;
        host.Runtime.FlowStarts.BeforeAnswer = async (request, aborted) =>
        {
            if (request.CorrelationId!.EndsWith(".beta", StringComparison.Ordinal) && Interlocked.Increment(ref betaAnswers) == 1)
            {
                // The flow runner took beta's start; its answer is held until the dispatcher that asked is gone.
                betaTaken.TrySetResult();
                try
                {
                    await releaseBeta.Task.WaitAsync(aborted);
                }
                catch (OperationCanceledException)
                {
                    // The caller went away first.
                }
            }
        };

        using var fire = await host.FireAsync("fanout", """{"alpha":"1000","beta":"1000","gamma":"1000","topic":"restart"}""");
        Assert.Equal(HttpStatusCode.Accepted, fire.StatusCode);
        var accepted = (await fire.Content.ReadFromJsonAsync<JsonObject>())!;
        var runId = (string)accepted["runId"]!;
        var statusUrl = (string)accepted["statusUrl"]!;
        await betaTaken.Task.WaitAsync(Deadline);
        // Alpha's and gamma's starts are recorded in the history before the crash; beta's is not.
        await DispatcherFixture.EventuallyAsync(() => host.RunAsync(statusUrl),
            r => r?["targets"]?.AsArray().Count(t => (string?)t!["status"] == "Running") == 2, Deadline, "alpha and gamma recorded as started");

        await host.StopDispatcherAsync();
        host.StartDispatcher();

        var run = await DispatcherFixture.EventuallyAsync(() => host.RunAsync(statusUrl),
            r => (string?)r?["status"] is "Succeeded" or "Failed" or "TimedOut", Deadline, "the run to finish after the restart");
        releaseBeta.TrySetResult();

        Assert.Equal("Succeeded", (string?)run!["status"]);
        Assert.All(run["targets"]!.AsArray(), t => Assert.Equal("Succeeded", (string?)t!["status"]));
        var answers = host.Runtime.FlowStarts.AcceptedRuns().Where(a => a.CorrelationId.StartsWith(runId + ".", StringComparison.Ordinal)).ToList();
        // Every target's flow started exactly once...
        Assert.Equal(
            [(runId + ".alpha", 1), (runId + ".beta", 1), (runId + ".gamma", 1)],
            answers.GroupBy(a => a.CorrelationId).Select(g => (g.Key, g.Select(a => a.FlowRunId).Distinct().Count())).Order());
        // ...beta's start ran twice (the lost answer), the second time recognised as the same flow run...
        Assert.Equal([false, true], answers.Where(a => a.CorrelationId == runId + ".beta").Select(a => a.Duplicate));
        // ...and the starts whose results were recorded did not run again.
        Assert.Single(answers, a => a.CorrelationId == runId + ".alpha");
        Assert.Single(answers, a => a.CorrelationId == runId + ".gamma");
        Assert.True(host.Runtime.Daprd.WorkItemsHandedBack >= 1, "the dropped worker's activity was dispatched again");
        Assert.Equal(["created"], host.Runtime.Daprd.Starts.Where(s => s.InstanceId == runId).Select(s => s.Outcome));
        // Each run's output is that flow's: the restart mixed nothing up.
        Assert.All(run["targets"]!.AsArray(), t => Assert.Equal(
            answers.Single(a => a.CorrelationId == runId + "." + (string)t!["pipeline"]! && !a.Duplicate).FlowRunId, (string?)t!["run"]));
    }
}
