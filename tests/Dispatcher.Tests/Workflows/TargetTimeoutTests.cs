using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Harness;

namespace Arkonis.Dispatcher.Tests.Workflows;

/// <summary>
/// A target whose completion never comes is TimedOut when its wait's deadline passes, end to end: the workflow's
/// durable timer is held by the embedded runtime as daprd holds it, a reminder of the workflow (dapr/dapr
/// <c>pkg/actors/targets/workflow/orchestrator/timer.go</c>; here <see cref="WorkflowTimers"/>), and fires into the run.
/// </summary>
public sealed class TargetTimeoutTests(TargetTimeoutTests.Fixture app) : IClassFixture<TargetTimeoutTests.Fixture>
{
    public sealed class Fixture : DispatcherFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["Runs:TargetTimeout"] = "00:00:02",
        };
    }

    [Fact]
    public async Task A_completion_that_never_comes_times_the_target_out_when_the_runtime_fires_its_timer()
    {
        // alpha's flow takes ten minutes; beta and gamma end at once.
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/fanout/fire",
            """{"alpha":"600000","beta":"0","gamma":"0","topic":"late"}""");
        using var accepted = await app.Public.SendAsync(fire);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var body = (await accepted.Content.ReadFromJsonAsync<JsonObject>())!;
        var runId = (string)body["runId"]!;

        var run = await DispatcherFixture.EventuallyAsync(
            async () =>
            {
                using var read = DispatcherFixture.Authorized(HttpMethod.Get, (string)body["statusUrl"]!);
                using var answer = await app.Public.SendAsync(read);
                return (await answer.Content.ReadFromJsonAsync<JsonObject>())!;
            },
            r => (string?)r["status"] is "Succeeded" or "Failed" or "TimedOut",
            TimeSpan.FromSeconds(30),
            "the run to end");

        Assert.Equal("Failed", (string)run["status"]!);
        var targets = run["targets"]!.AsArray().ToDictionary(t => (string)t!["pipeline"]!, t => (string)t!["status"]!);
        Assert.Equal(new Dictionary<string, string> { ["alpha"] = "TimedOut", ["beta"] = "Succeeded", ["gamma"] = "Succeeded" }, targets);
        Assert.Equal(0, app.Sidecar.Timers.ArmedFor(runId));
    }
}
