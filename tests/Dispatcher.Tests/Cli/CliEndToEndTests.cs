extern alias cli;

using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Harness;
using CliApp = cli::Arkonis.Cli.CliApp;
using CliConsole = cli::Arkonis.Cli.CliConsole;

namespace Arkonis.Dispatcher.Tests.Cli;

/// <summary>
/// <c>arkevent --url</c> against the real dispatcher (its own Program on loopback, the fake sidecar and the sample
/// flow runner behind it), with a local secrets file as <c>components/secrets.json</c> would hold it.
/// </summary>
public sealed class CliEndToEndTests(DispatcherFixture app) : IClassFixture<DispatcherFixture>, IDisposable
{
    private readonly string _secrets = WriteSecrets();

    public void Dispose() => File.Delete(_secrets);

    private async Task<(int Exit, string Out, string Error)> ArkEventAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] ns = args.Contains("-n") ? [] : ["-n", "default"];
        var exit = await CliApp.RunAsync([.. args, .. ns, "--url", app.Public.BaseAddress!.ToString(), "--secrets-file", _secrets], new CliConsole(output, error, false, TimeProvider.System));
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Sync_fire_prints_the_flows_output()
    {
        var (exit, output, error) = await ArkEventAsync("fire", "hello", "--sync", "--timeout", "20s", "-d", """{"topic":"cats"}""", "-o", "json");

        Assert.True(exit == 0, error);
        var run = JsonNode.Parse(output)!;
        Assert.Equal("Succeeded", run["status"]!.GetValue<string>());
        Assert.Equal("default/hello", run["trigger"]!.GetValue<string>());
        Assert.Equal("echo", run["targets"]![0]!["pipeline"]!.GetValue<string>());
    }

    [Fact]
    public async Task Async_fire_then_run_follows_it_to_the_end()
    {
        var (exit, output, error) = await ArkEventAsync("fire", "hello", "--idempotency-key", "cli-e2e");
        Assert.True(exit == 0, error);
        var runId = output.Trim();

        var run = await DispatcherFixture.EventuallyAsync(
            async () => JsonNode.Parse((await ArkEventAsync("run", "hello", runId, "-o", "json")).Out),
            r => r?["status"]?.GetValue<string>() == "Succeeded",
            TimeSpan.FromSeconds(20),
            "the run to succeed");
        Assert.Equal(runId, run!["runId"]!.GetValue<string>());

        var again = await ArkEventAsync("fire", "hello", "--idempotency-key", "cli-e2e", "-o", "json");
        Assert.True(JsonNode.Parse(again.Out)!["existing"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_cron_event_is_refused_as_the_wrong_type()
    {
        var (exit, _, error) = await ArkEventAsync("fire", "nightly");

        Assert.Equal(1, exit);
        Assert.Contains("default/nightly is not a webhook trigger", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_trigger_is_named()
    {
        // A name outside the catalog is never looked up in the secret store: the dispatcher answers exactly as for a wrong
        // token (401), so the CLI names both readings.
        var (exit, _, error) = await ArkEventAsync("fire", "hello", "-n", "elsewhere");

        Assert.Equal(1, exit);
        Assert.Contains("refused the token for elsewhere/hello (401): there is no such trigger in namespace elsewhere", error, StringComparison.Ordinal);
    }

    private static string WriteSecrets()
    {
        var path = Path.GetTempFileName();
        var secrets = new JsonObject();
        foreach (var name in TestEvents.Names)
        {
            secrets[name + "-webhook-token"] = new JsonObject { ["token"] = DispatcherFixture.Token };
        }

        File.WriteAllText(path, secrets.ToJsonString());
        return path;
    }
}
