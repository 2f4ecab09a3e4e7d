using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Arkonis.Embedded.Hosting;
using Arkonis.Embedded.Runtime;
using Xunit.Abstractions;

namespace Arkonis.Embedded.Tests;

/// <summary>
/// The dashboard as a person sees it: the README's run command started as a separate process on free ports, a few
/// fires by HTTP, then headless Chromium loads the page (running its script, which fetches the JSON) and the test reads
/// the rendered page's text. The screenshot is kept at <c>TestResults/dashboard.png</c> (a CI artifact).
/// </summary>
[Trait("Category", "Browser")]
public sealed partial class DashboardBrowserTests(ITestOutputHelper output)
{
    private static readonly string Configuration =
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    [BrowserFact]
    public async Task Chromium_shows_the_events_and_a_run_with_its_per_target_status_and_no_token()
    {
        Assert.True(Chromium.Path is not null, "Chromium is not installed, and CI is set: .ci/run installs the Debian package chromium.");
        var ports = new { Public = FreePorts.Next(), Callback = FreePorts.Next(), Dashboard = FreePorts.Next(), Grpc = FreePorts.Next(), Http = FreePorts.Next() };
        var tokens = LocalSecretsFile.Read(Path.Combine(Repo.Root, "components", "secrets.json"))
            .SelectMany(s => s.Value.Values).ToList();
        var token = LocalSecretsFile.Read(Path.Combine(Repo.Root, "components", "secrets.json"))["pipeline-trigger-webhook-token"]["token"];

        using var process = AppProcess.Start($"dotnet run --project src/Embedded -c {Configuration} --no-build", Repo.Root, new Dictionary<string, string>
        {
            ["Ports__Public"] = ports.Public.ToString(CultureInfo.InvariantCulture),
            ["Ports__Callback"] = ports.Callback.ToString(CultureInfo.InvariantCulture),
            ["Ports__Dashboard"] = ports.Dashboard.ToString(CultureInfo.InvariantCulture),
            ["DAPR_GRPC_PORT"] = ports.Grpc.ToString(CultureInfo.InvariantCulture),
            ["DAPR_HTTP_PORT"] = ports.Http.ToString(CultureInfo.InvariantCulture),
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports.Public}"), Timeout = TimeSpan.FromSeconds(60) };
        var page = $"http://localhost:{ports.Dashboard}/";
        try
        {
            await Eventually(async () => await http.GetStringAsync("/readyz") == "Healthy", TimeSpan.FromSeconds(90), "the embedded run to be ready", process);
            await Eventually(() => Task.FromResult(process.Output.Contains("dashboard     " + page, StringComparison.Ordinal)), TimeSpan.FromSeconds(10), "the banner's dashboard URL", process);

            // A few fires: one that succeeds, one whose summarize-flow fails with "boom".
            var succeeded = await FireAsync(http, token, """{"topic": "durable workflows"}""", HttpStatusCode.OK);
            var failed = await FireAsync(http, token, """{"topic": "durable workflows", "_fail": "boom"}""", HttpStatusCode.InternalServerError);

            var stopwatch = Stopwatch.StartNew();
            // Virtual time lets the page's script run and its fetch of the JSON finish before the DOM is dumped.
            var dom = await Chromium.RunAsync(page, "--virtual-time-budget=5000", "--dump-dom");
            var screenshot = Path.Combine(Repo.Root, "TestResults", "dashboard.png");
            Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
            File.Delete(screenshot);
            await Chromium.RunAsync(page, "--virtual-time-budget=5000", "--window-size=1280,1600", "--hide-scrollbars", "--screenshot=" + screenshot);
            output.WriteLine($"Chromium: DOM and screenshot in {stopwatch.Elapsed.TotalSeconds:0.0} s");

            var text = Text(dom);
            output.WriteLine(text);
            Assert.True(File.Exists(screenshot) && new FileInfo(screenshot).Length > 10_000, "the screenshot " + screenshot);

            // The events, with type and schedule.
            Assert.Matches(@"\d+ ArkEvents · updated \d{4}-\d\d-\d\d", text);
            Assert.Contains("ai-team/pipeline-trigger webhook", text, StringComparison.Ordinal);
            Assert.Contains("ai-team/every-minute cron", text, StringComparison.Ordinal);
            Assert.Matches(@"schedule \* \* \* \* \* · time zone UTC · next fire \d{4}-\d\d-\d\d \d\d:\d\d:00Z", text);
            Assert.Contains("time zone Europe/Berlin", text, StringComparison.Ordinal);
            Assert.Contains("when research-flow ends Succeeded", text, StringComparison.Ordinal);

            // The runs, each target with its status; the failed one with its error.
            Assert.Contains(succeeded + " Succeeded", text, StringComparison.Ordinal);
            Assert.Contains(failed + " Failed", text, StringComparison.Ordinal);
            Assert.Matches(@"research-flow Succeeded \d", text);
            Assert.Contains("summarize-flow Failed", text, StringComparison.Ordinal);
            Assert.Matches(@"summarize-flow Failed [\d.]+ m?s boom", text);

            Assert.All(tokens, t => Assert.DoesNotContain(t, dom, StringComparison.Ordinal));
            Assert.All(tokens, t => Assert.DoesNotContain(t, text, StringComparison.Ordinal));
        }
        finally
        {
            process.Stop();
            output.WriteLine(process.Output);
        }
    }

    private static async Task<string> FireAsync(HttpClient http, string token, string body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/triggers/ai-team/pipeline-trigger/fire?mode=sync&timeout=30s")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["runId"]!;
    }

    /// <summary>The rendered text, as a person reads it: the body without the script, tags as spaces, spaces collapsed.</summary>
    private static string Text(string dom)
    {
        var body = Script().Replace(dom, " ");
        return WebUtility.HtmlDecode(Spaces().Replace(Tags().Replace(body, " "), " ")).Trim();
    }

    private static async Task Eventually(Func<Task<bool>> probe, TimeSpan deadline, string what, AppProcess process)
    {
        var until = DateTime.UtcNow + deadline;
        while (true)
        {
            Assert.False(process.HasExited, $"the run command exited while waiting for {what}:\n{process.Output}");
            try
            {
                if (await probe())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            Assert.True(DateTime.UtcNow < until, $"timed out after {deadline} waiting for {what}");
            await Task.Delay(250);
        }
    }

    [GeneratedRegex("<(script|style)[^>]*>.*?</\\1>", RegexOptions.Singleline)]
    private static partial Regex Script();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
