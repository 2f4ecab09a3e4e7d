using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Workflows;
using Dapr.Workflow;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace Arkonis.Dispatcher.Tests.Workflows;

/// <summary>The workflow's logic with a substituted <see cref="WorkflowContext"/> (no sidecar).</summary>
public sealed class FireWorkflowTests
{
    private static readonly DateTimeOffset FiredAt = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly WorkflowContext _context = Substitute.For<WorkflowContext>();
    private readonly List<StartFlowInput> _starts = [];

    public FireWorkflowTests()
    {
        _context.CurrentUtcDateTime.Returns(FiredAt.UtcDateTime.AddSeconds(3));
        _context.CallActivityAsync<FlowStartOutcome>(nameof(StartFlowActivity), Arg.Do<StartFlowInput>(_starts.Add), Arg.Any<WorkflowTaskOptions>())
            .Returns(new FlowStartOutcome(true));
        _context.CallActivityAsync(nameof(RecordRunActivity), Arg.Any<RunResult>(), Arg.Any<WorkflowTaskOptions>())
            .Returns(Task.CompletedTask);
    }

    private static RunInput Input(params RunTarget[] targets) => new(
        "default.hello.abc", "default", "hello", "webhook", FiredAt, targets,
        new JsonObject { ["topic"] = "dapr" }, null, 0, 60);

    private void Completes(string pipeline, string phase, JsonNode? output = null, string? error = null) =>
        _context.WaitForExternalEventAsync<FlowCompleted>(
                CompletionEvents.Name("default.hello.abc." + pipeline), Arg.Any<TimeSpan>())
            .Returns(new FlowCompleted("default", pipeline, pipeline + "-1", phase, output, error, FiredAt.AddSeconds(2), "default.hello.abc." + pipeline));

    [Fact]
    public async Task Every_target_starts_with_its_rendered_input_and_the_run_succeeds_when_all_do()
    {
        Completes("alpha", "Succeeded", new JsonObject { ["a"] = 1 });
        Completes("beta", "Succeeded", new JsonObject { ["b"] = 2 });

        var result = await new FireWorkflow().RunAsync(_context, Input(
            new RunTarget("alpha", new Dictionary<string, string> { ["t"] = "{{ .trigger.body.topic }}" }),
            new RunTarget("beta", null)));

        Assert.Equal(RunStatuses.Succeeded, result.Status);
        Assert.Equal(FiredAt.AddSeconds(3), result.CompletedAt);
        Assert.Equal(["alpha", "beta"], result.Targets.Select(t => t.Pipeline));
        Assert.All(result.Targets, t => Assert.Equal(RunStatuses.Succeeded, t.Status));
        Assert.Equal(2, (int)result.Targets[1].Output!["b"]!);
        Assert.Equal("alpha-1", result.Targets[0].FlowRunId);
        Assert.Equal(2, _starts.Count);
        Assert.Equal("dapr", (string)_starts.Single(s => s.Pipeline == "alpha").Input!["t"]!);
        Assert.Equal("dapr", (string)_starts.Single(s => s.Pipeline == "beta").Input!["topic"]!);
        Assert.Equal("default.hello.abc.alpha", _starts.Single(s => s.Pipeline == "alpha").CorrelationId);
        await _context.Received(1).CallActivityAsync(nameof(RecordRunActivity), Arg.Is<RunResult>(r => r.Status == RunStatuses.Succeeded), Arg.Any<WorkflowTaskOptions>());
    }

    [Fact]
    public async Task A_failed_flow_fails_the_run_but_keeps_the_other_results()
    {
        Completes("alpha", "Failed", error: "quota");
        Completes("beta", "Succeeded", new JsonObject { ["b"] = 2 });

        var result = await new FireWorkflow().RunAsync(_context, Input(new RunTarget("alpha", null), new RunTarget("beta", null)));

        Assert.Equal(RunStatuses.Failed, result.Status);
        Assert.Equal((RunStatuses.Failed, "quota"), (result.Targets[0].Status, result.Targets[0].Error));
        Assert.Equal(RunStatuses.Succeeded, result.Targets[1].Status);
    }

    [Fact]
    public async Task A_refused_start_is_a_failed_target_without_waiting_for_it()
    {
        _context.CallActivityAsync<FlowStartOutcome>(nameof(StartFlowActivity), Arg.Is<StartFlowInput>(r => r.Pipeline == "alpha"), Arg.Any<WorkflowTaskOptions>())
            .Returns(new FlowStartOutcome(false, "no such pipeline"));
        Completes("beta", "Succeeded");

        var result = await new FireWorkflow().RunAsync(_context, Input(new RunTarget("alpha", null), new RunTarget("beta", null)));

        Assert.Equal((RunStatuses.Failed, "no such pipeline"), (result.Targets[0].Status, result.Targets[0].Error));
        Assert.Equal(RunStatuses.Succeeded, result.Targets[1].Status);
        _ = _context.DidNotReceive().WaitForExternalEventAsync<FlowCompleted>(
            CompletionEvents.Name("default.hello.abc.alpha"), Arg.Any<TimeSpan>());
    }

    [Fact]
    public async Task A_start_that_fails_after_its_retries_is_a_failed_target()
    {
        _context.CallActivityAsync<FlowStartOutcome>(nameof(StartFlowActivity), Arg.Any<StartFlowInput>(), Arg.Any<WorkflowTaskOptions>())
            .ThrowsAsync(new WorkflowTaskFailedException("boom", new WorkflowTaskFailureDetails("HttpRequestException", "connection refused")));

        var result = await new FireWorkflow().RunAsync(_context, Input(new RunTarget("alpha", null)));

        Assert.Equal(RunStatuses.Failed, result.Status);
        Assert.Contains("connection refused", result.Targets[0].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_completion_that_never_comes_is_TimedOut_after_the_target_deadline()
    {
        _context.WaitForExternalEventAsync<FlowCompleted>(Arg.Any<string>(), TimeSpan.FromSeconds(60))
            .ThrowsAsync(new TaskCanceledException());

        var result = await new FireWorkflow().RunAsync(_context, Input(new RunTarget("alpha", null)));

        Assert.Equal(RunStatuses.Failed, result.Status);
        Assert.Equal(RunStatuses.TimedOut, result.Targets[0].Status);
    }

    [Fact]
    public async Task Recording_the_run_never_fails_it()
    {
        Completes("alpha", "Succeeded");
        _context.CallActivityAsync(nameof(RecordRunActivity), Arg.Any<RunResult>(), Arg.Any<WorkflowTaskOptions>())
            .ThrowsAsync(new WorkflowTaskFailedException("x", new WorkflowTaskFailureDetails("InvalidOperationException", "status write failed")));

        var result = await new FireWorkflow().RunAsync(_context, Input(new RunTarget("alpha", null)));

        Assert.Equal(RunStatuses.Succeeded, result.Status);
    }

    [Fact]
    public async Task The_custom_status_shows_progress_per_target()
    {
        var statuses = new List<RunResult>();
        _context.When(c => c.SetCustomStatus(Arg.Any<object?>())).Do(call => statuses.Add((RunResult)call[0]!));
        Completes("alpha", "Succeeded");

        await new FireWorkflow().RunAsync(_context, Input(new RunTarget("alpha", null)));

        Assert.Equal(
            [RunStatuses.Pending, RunStatuses.Running, RunStatuses.Succeeded, RunStatuses.Succeeded],
            statuses.Select(s => s.Targets[0].Status));
        Assert.Equal(RunStatuses.Succeeded, statuses[^1].Status);
    }
}
