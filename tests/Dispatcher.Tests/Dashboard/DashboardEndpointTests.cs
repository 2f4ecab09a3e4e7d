using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Harness;

namespace Arkonis.Dispatcher.Tests.Dashboard;

/// <summary>The dashboard's page and JSON on their own port, against a running dispatcher and its runs.</summary>
public sealed class DashboardEndpointTests(DispatcherFixture app) : IClassFixture<DispatcherFixture>
{
    private async Task<JsonObject> ViewAsync() => (await app.Dashboard.GetFromJsonAsync<JsonObject>("/api/dashboard"))!;

    private static JsonObject Event(JsonObject view, string name) =>
        Assert.Single(view["events"]!.AsArray(), e => (string?)e!["name"] == name)!.AsObject();

    [Fact]
    public async Task The_JSON_lists_every_event_with_type_schedule_time_zone_next_fire_suspension_and_validity()
    {
        var view = await ViewAsync();

        var nightly = Event(view, "nightly");
        Assert.Equal("cron", (string?)nightly["type"]);
        Assert.Equal("0 3 * * *", (string?)nightly["schedule"]);
        Assert.Equal("UTC", (string?)nightly["timeZone"]);
        var next = nightly["nextFire"]!.GetValue<DateTimeOffset>();
        Assert.Equal(new TimeSpan(3, 0, 0), next.UtcDateTime.TimeOfDay);
        Assert.True(next > view["now"]!.GetValue<DateTimeOffset>());
        Assert.True((bool)nightly["valid"]!);

        var hello = Event(view, "hello");
        Assert.Equal("webhook", (string?)hello["type"]);
        Assert.Null(hello["nextFire"]);
        Assert.Equal(["echo"], hello["targets"]!.AsArray().Select(t => (string)t!));

        Assert.True((bool)Event(view, "paused")["suspended"]!);

        var broken = Event(view, "broken");
        Assert.False((bool)broken["valid"]!);
        Assert.NotEmpty(broken["problems"]!.AsArray());
        Assert.Contains(broken["problems"]!.AsArray(), p => ((string)p!).Contains("targets", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fired_run_shows_with_its_per_target_status_duration_and_error()
    {
        using var fire = DispatcherFixture.Authorized(
            HttpMethod.Post, "/triggers/default/fanout/fire?mode=sync&timeout=30s", """{"failBeta":"model quota exceeded"}""");
        using var response = await app.Public.SendAsync(fire);
        var runId = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!;

        var run = await DispatcherFixture.EventuallyAsync(
            async () => Event(await ViewAsync(), "fanout")["runs"]!.AsArray().FirstOrDefault(r => (string?)r!["runId"] == runId),
            r => (string?)r?["status"] == "Failed",
            TimeSpan.FromSeconds(20),
            "the failed run on the dashboard");

        var targets = run!["targets"]!.AsArray().ToDictionary(t => (string)t!["pipeline"]!);
        Assert.Equal("Failed", (string?)targets["beta"]!["status"]);
        Assert.Equal("model quota exceeded", (string?)targets["beta"]!["error"]);
        Assert.Equal("Succeeded", (string?)targets["alpha"]!["status"]);
        Assert.True((long)targets["alpha"]!["durationMs"]! >= 0);
        Assert.True((long)run["durationMs"]! >= 0);
        Assert.Null(targets["alpha"]!["output"]);
    }

    [Fact]
    public async Task Runs_seen_earlier_stay_listed_newest_first()
    {
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/limited/fire?mode=sync&timeout=30s", "{}");
            using var response = await app.Public.SendAsync(fire);
            ids.Add((string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!);
            await ViewAsync();
        }

        var runs = Event(await ViewAsync(), "limited")["runs"]!.AsArray().Select(r => (string)r!["runId"]!).ToList();
        Assert.Equal([ids[1], ids[0]], runs.Take(2));
    }

    [Fact]
    public async Task The_page_is_plain_HTML_that_fetches_the_JSON()
    {
        using var response = await app.Dashboard.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<title>ArkEvent dashboard</title>", html, StringComparison.Ordinal);
        Assert.Contains("fetch(\"api/dashboard\"", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/api/dashboard")]
    public async Task Only_GET_is_answered_every_other_method_is_405(string path)
    {
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch, new HttpMethod("PURGE") })
        {
            using var request = new HttpRequestMessage(method, path) { Content = new StringContent("{}") };
            using var response = await app.Dashboard.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.MethodNotAllowed, $"{method} {path}: {response.StatusCode}");
            Assert.Equal(["GET"], response.Content.Headers.Allow);
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/api/dashboard")]
    public async Task The_dashboard_is_not_on_the_public_or_the_callback_port(string path)
    {
        using var onPublic = await app.Public.GetAsync(path);
        using var onCallbacks = await app.Callbacks.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, onPublic.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, onCallbacks.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/healthz")]
    [InlineData("GET", "/readyz")]
    [InlineData("GET", "/metrics")]
    [InlineData("GET", "/dapr/subscribe")]
    [InlineData("POST", "/triggers/default/hello/fire")]
    [InlineData("GET", "/triggers/default/hello/runs/x")]
    public async Task The_dashboard_port_answers_nothing_else_so_nothing_can_be_fired_there(string method, string path)
    {
        using var request = DispatcherFixture.Authorized(new HttpMethod(method), path, method == "POST" ? "{}" : null);
        using var response = await app.Dashboard.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Neither_the_page_nor_its_JSON_contains_a_token()
    {
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire?mode=sync&timeout=30s", $$"""{"echo":"{{DispatcherFixture.Token}}"}""");
        using var response = await app.Public.SendAsync(fire);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var json = await app.Dashboard.GetStringAsync("/api/dashboard");
        var html = await app.Dashboard.GetStringAsync("/");

        Assert.Contains("\"hello\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain(DispatcherFixture.Token, json, StringComparison.Ordinal);
        Assert.DoesNotContain(DispatcherFixture.Token, html, StringComparison.Ordinal);
    }
}
