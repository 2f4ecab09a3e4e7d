using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Tests.Harness;
using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Dispatcher.Tests.Workflows;

/// <summary>
/// daprd answers StartInstance only once the new workflow has left Pending, unless a start time is given
/// (dapr/durabletask-go <c>backend/executor.go</c>: <c>StartInstance</c> calls <c>WaitForInstanceStart</c>); a cold start
/// or a worker reconnect (the .NET SDK reconnects every 5 s) makes that take seconds. The embedded runtime delays its
/// StartInstance answers the same way (<see cref="DaprdBehaviour.StartDelay"/>), after the instance is created.
/// </summary>
public sealed class SlowStartTests(SlowStartTests.Fixture app) : IClassFixture<SlowStartTests.Fixture>
{
    public sealed class Fixture : DispatcherFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["TriggerApi:TokenCacheTtl"] = "00:00:00.200",
            ["Sidecar:CallTimeout"] = "00:00:01.5",
            ["Runs:StartTimeout"] = "00:00:04",
        };
    }

    private async Task<(JsonObject Accepted, TimeSpan Took)> FireAsync(string topic)
    {
        var clock = Stopwatch.StartNew();
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/limited/fire", $$"""{"topic":"{{topic}}"}""");
        using var response = await app.Public.SendAsync(fire);
        var took = clock.Elapsed;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return ((await response.Content.ReadFromJsonAsync<JsonObject>())!, took);
    }

    private async Task ExactlyOneRunAsync(string runId)
    {
        await DispatcherFixture.EventuallyAsync(
            () => app.Services.GetRequiredService<DaprWorkflowClient>().GetWorkflowStateAsync(runId, false),
            s => s is { RuntimeStatus: WorkflowRuntimeStatus.Completed },
            TimeSpan.FromSeconds(30),
            $"run {runId} to complete");
        Assert.Single(app.Sidecar.FlowStarts.Snapshot(), s => s.Request.RunId == runId);
    }

    [Fact]
    public async Task A_start_slower_than_the_sidecar_deadline_but_within_the_start_timeout_is_accepted()
    {
        app.Sidecar.Daprd.StartDelay = TimeSpan.FromSeconds(2.5);
        try
        {
            var before = app.Services.GetRequiredService<InMemoryTriggerActivity>().Get("default", "limited").FiredCount;
            var (accepted, took) = await FireAsync("slow-but-in-time");

            Assert.False((bool)accepted["existing"]!);
            Assert.True(took >= TimeSpan.FromSeconds(2.5), $"answered after {took}: the start was not awaited");
            await ExactlyOneRunAsync((string)accepted["runId"]!);
            Assert.Equal(before + 1, app.Services.GetRequiredService<InMemoryTriggerActivity>().Get("default", "limited").FiredCount);
        }
        finally
        {
            app.Sidecar.Daprd.StartDelay = TimeSpan.Zero;
        }
    }

    [Fact]
    public async Task A_start_that_outlasts_the_start_timeout_but_created_the_run_counts_as_fired()
    {
        app.Sidecar.Daprd.StartDelay = TimeSpan.FromSeconds(8);
        try
        {
            var before = app.Services.GetRequiredService<InMemoryTriggerActivity>().Get("default", "limited").FiredCount;
            var (accepted, took) = await FireAsync("too-slow");

            Assert.False((bool)accepted["existing"]!);
            Assert.True(took < TimeSpan.FromSeconds(8), $"answered after {took}: the start timeout did not apply");
            await ExactlyOneRunAsync((string)accepted["runId"]!);
            Assert.Equal(before + 1, app.Services.GetRequiredService<InMemoryTriggerActivity>().Get("default", "limited").FiredCount);
        }
        finally
        {
            app.Sidecar.Daprd.StartDelay = TimeSpan.Zero;
        }
    }
}
