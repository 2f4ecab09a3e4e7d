using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Model.Resources;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Dispatcher.Tests.Triggers.Webhook;

/// <summary>A dispatcher whose run recording (the workflow's last step) waits until the test lets it go.</summary>
public sealed class HeldRecordingFixture : DispatcherFixture
{
    public HeldActivity Activity { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ITriggerActivity>(Activity);

    public sealed class HeldActivity : ITriggerActivity, IDisposable
    {
        private readonly ManualResetEventSlim _release = new();

        public TaskCompletionSource<string> Recording { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.Set();

        public void Fired(ArkEvent arkEvent, string runId, DateTimeOffset firedAt)
        {
        }

        public void Skipped(ArkEvent arkEvent, string reason, DateTimeOffset at)
        {
        }

        public void Completed(ArkEvent arkEvent, string runId, string result, DateTimeOffset completedAt)
        {
            Recording.TrySetResult(runId);
            // Bounded, so a failing test cannot hang the workflow worker for ever.
            _release.Wait(TimeSpan.FromSeconds(30));
        }

        public void Failed(ArkEvent arkEvent, string runId, string message, DateTimeOffset at)
        {
        }

        public void Dispose() => _release.Dispose();
    }
}

/// <summary>
/// A run ends when its workflow instance completes, not when its last target does: until then the run API says Running
/// and a Forbid trigger stays refused, so the two never contradict each other.
/// </summary>
public sealed class RunEndTests(HeldRecordingFixture app) : IClassFixture<HeldRecordingFixture>
{
    [Fact]
    public async Task A_run_whose_targets_are_done_but_that_is_still_recording_reads_as_Running_and_holds_its_slot()
    {
        using var first = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/exclusive/fire", "{}");
        using var firstResponse = await app.Public.SendAsync(first);
        Assert.Equal(HttpStatusCode.Accepted, firstResponse.StatusCode);
        var run = (await firstResponse.Content.ReadFromJsonAsync<JsonObject>())!;
        var runId = (string)run["runId"]!;
        Assert.Equal(runId, await app.Activity.Recording.Task.WaitAsync(TimeSpan.FromSeconds(20)));

        var during = await ReadAsync((string)run["statusUrl"]!);
        Assert.Equal("Running", (string?)during["status"]);
        Assert.Equal("Succeeded", (string?)during["targets"]![0]!["status"]);
        using var second = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/exclusive/fire", "{}");
        using var secondResponse = await app.Public.SendAsync(second);
        Assert.Equal(HttpStatusCode.Conflict, secondResponse.StatusCode);

        app.Activity.Release();
        await DispatcherFixture.EventuallyAsync(
            async () => (string?)(await ReadAsync((string)run["statusUrl"]!))["status"],
            s => s == "Succeeded",
            TimeSpan.FromSeconds(20),
            "the run to end");
        using var third = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/exclusive/fire", "{}");
        using var thirdResponse = await app.Public.SendAsync(third);
        Assert.Equal(HttpStatusCode.Accepted, thirdResponse.StatusCode);
    }

    private async Task<JsonObject> ReadAsync(string statusUrl)
    {
        using var read = DispatcherFixture.Authorized(HttpMethod.Get, statusUrl);
        using var answer = await app.Public.SendAsync(read);
        return (await answer.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
