using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Samples.FlowRunner;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Arkonis.Dispatcher.Tests.Samples;

/// <summary>The flow-runner sample's contract: dedupe by correlation id, delay, output, failure on demand.</summary>
public sealed class FlowRunsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly IFlowCompletedPublisher _publisher = Substitute.For<IFlowCompletedPublisher>();
    private readonly TaskCompletionSource<FlowCompletedMessage> _published = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly FlowRuns _runs;

    public FlowRunsTests()
    {
        _publisher.PublishAsync(Arg.Do<FlowCompletedMessage>(m => _published.TrySetResult(m)), Arg.Any<CancellationToken>())
            .Returns(Task.CompletedTask);
        var lifetime = Substitute.For<IHostApplicationLifetime>();
        _runs = new FlowRuns(_publisher, _time, Options.Create(new FlowRunnerSampleOptions { DefaultDelay = TimeSpan.FromSeconds(2) }),
            lifetime, NullLogger<FlowRuns>.Instance);
    }

    [Fact]
    public async Task A_run_completes_after_its_delay_with_the_input_echoed_and_a_repeat_starts_nothing()
    {
        var request = new FlowRunRequest("run-1", new JsonObject { ["topic"] = "x" }, "run-1.echo");
        var first = _runs.Accept("default", "echo", request);
        var again = _runs.Accept("default", "echo", request);

        Assert.False(first.Duplicate);
        Assert.True(again.Duplicate);
        Assert.Equal(first.FlowRunId, again.FlowRunId);
        Assert.False(_published.Task.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(2));
        var message = await _published.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(("default", "echo", "Succeeded", "run-1.echo"), (message.Namespace, message.Flow, message.Phase, message.CorrelationId));
        Assert.Equal("x", (string)message.Output!["echo"]!["topic"]!);
        Assert.Equal(first.FlowRunId, message.RunId);
        await _publisher.Received(1).PublishAsync(Arg.Any<FlowCompletedMessage>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_run_fails_on_demand()
    {
        _runs.Accept("default", "echo", new FlowRunRequest("run-2", new JsonObject { ["_fail"] = "no quota", ["_delayMs"] = "0" }, "run-2.echo"));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var message = await _published.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(("Failed", "no quota"), (message.Phase, message.Error));
        Assert.Null(message.Output);
    }

    [Theory]
    [InlineData("{\"_delayMs\": 250}", 250)]
    [InlineData("{\"_delayMs\": \"250\"}", 250)]
    [InlineData("{\"_delayMs\": \"\"}", 2000)]
    [InlineData("{\"_delayMs\": -1}", 2000)]
    [InlineData("{}", 2000)]
    public void The_delay_comes_from_the_input_when_it_is_sane(string input, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), _runs.DelayOf(JsonNode.Parse(input)!.AsObject()));

    [Fact]
    public async Task Only_the_last_finished_runs_are_remembered_for_dedupe()
    {
        var runs = new FlowRuns(_publisher, _time, Options.Create(new FlowRunnerSampleOptions { FinishedRunsRemembered = 2 }),
            Substitute.For<IHostApplicationLifetime>(), NullLogger<FlowRuns>.Instance);
        FlowRunRequest Request(int i) => new($"run-{i}", new JsonObject { ["_delayMs"] = i * 10 }, $"run-{i}.echo");

        // Off the test's synchronisation context, each flow ends inside the Advance that reaches its delay: in order.
        await Task.Run(() =>
        {
            for (var i = 1; i <= 3; i++)
            {
                runs.Accept("default", "echo", Request(i));
            }
        });
        Assert.Equal(3, runs.Remembered);
        for (var i = 1; i <= 3; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            var published = i;
            await Eventually.Until(() => _publisher.ReceivedCalls().Count() == published, $"flow {published} to complete", TimeSpan.FromSeconds(10));
        }
        await Eventually.Until(() => runs.Remembered == 2, "the oldest finished run to be forgotten", TimeSpan.FromSeconds(10));

        Assert.False(runs.Accept("default", "echo", Request(1)).Duplicate);
        Assert.True(runs.Accept("default", "echo", Request(3)).Duplicate);
    }
}
