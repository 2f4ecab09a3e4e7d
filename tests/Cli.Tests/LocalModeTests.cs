using System.Text.Json.Nodes;
using Arkonis.Cli.Tests.Support;

namespace Arkonis.Cli.Tests;

/// <summary><c>--url</c>: a local dispatcher (a stand-in answering like docs/trigger-api.md) and the local secrets file.</summary>
public sealed class LocalModeTests : IAsyncLifetime
{
    private FakeDispatcher _dispatcher = null!;

    private static string SecretsFile => Repo.Path("components", "secrets.json");

    public async Task InitializeAsync() => _dispatcher = await FakeDispatcher.StartAsync();

    public async Task DisposeAsync() => await _dispatcher.DisposeAsync();

    private Task<CliResult> Cli(params string[] args) =>
        CliRun.RunAsync([.. args, "--url", _dispatcher.Url.ToString(), "--secrets-file", SecretsFile]);

    [Fact]
    public async Task Fire_reads_the_token_from_the_secrets_file_and_prints_the_run_id()
    {
        var result = await Cli("fire", "pipeline-trigger", "-n", "ai-team", "-d", """{"topic":"cats"}""", "--idempotency-key", "k1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["run-k1"], result.OutLines);
        var sent = _dispatcher.LastFire!;
        Assert.Equal("Bearer " + FakeDispatcher.Token, sent.Authorization);
        Assert.Equal("k1", sent.IdempotencyKey);
        Assert.Equal("""{"topic":"cats"}""", sent.Body);
        Assert.StartsWith("application/json", sent.ContentType, StringComparison.Ordinal);
        Assert.Equal(string.Empty, sent.Query);
        Assert.Contains("arkevent run pipeline-trigger run-k1", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fire_json_is_the_acceptance_and_a_repeat_is_existing()
    {
        await Cli("fire", "pipeline-trigger", "-n", "ai-team", "--idempotency-key", "same");
        var result = await Cli("fire", "pipeline-trigger", "-n", "ai-team", "--idempotency-key", "same", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("run-same", result.Json["runId"]!.GetValue<string>());
        Assert.True(result.Json["existing"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Fire_with_data_from_a_file()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, """{"topic":"from a file"}""");

        var result = await Cli("fire", "pipeline-trigger", "-n", "ai-team", "-d", "@" + file);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("""{"topic":"from a file"}""", _dispatcher.LastFire!.Body);
    }

    [Fact]
    public async Task Sync_fire_prints_the_output_and_sends_the_timeout()
    {
        var result = await Cli("fire", "pipeline-trigger", "-n", "ai-team", "--sync", "--timeout", "1m30s", "-d", """{"topic":"x"}""");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("?mode=sync&timeout=1m30s", _dispatcher.LastFire!.Query);
        Assert.Equal("x", JsonNode.Parse(result.Out)!["echo"]!["topic"]!.GetValue<string>());
        Assert.Contains("Succeeded in 1500 ms", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_sync_run_exits_1_with_the_target_error()
    {
        var result = await Cli("fire", "pipeline-trigger", "-n", "ai-team", "--sync", "-d", """{"fail":true}""");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the flow said no", result.Out, StringComparison.Ordinal);
        Assert.Contains("failed", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sync_timeout_exits_1_and_says_the_run_goes_on()
    {
        var secrets = Path.GetTempFileName();
        await File.WriteAllTextAsync(secrets, new JsonObject { ["slow-webhook-token"] = new JsonObject { ["token"] = FakeDispatcher.Token } }.ToJsonString());

        var result = await CliRun.RunAsync("fire", "slow", "-n", "ai-team", "--sync", "--timeout", "500ms", "-o", "json", "--url", _dispatcher.Url.ToString(), "--secrets-file", secrets);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("https://arkonis.dev/problems/sync-timeout", result.Json["type"]!.GetValue<string>());
        Assert.Contains("it goes on: arkevent run slow run-", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2 minutes")]
    [InlineData("-1s")]
    [InlineData("1s2m")]
    [InlineData("999999999h")]
    public async Task A_bad_timeout_is_a_usage_error_before_any_call(string timeout)
    {
        var result = await Cli("fire", "pipeline-trigger", "--sync", "--timeout", timeout);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--timeout", result.Error, StringComparison.Ordinal);
        Assert.Null(_dispatcher.LastFire);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("{not json")]
    public async Task Data_that_is_not_a_json_object_is_a_usage_error(string data)
    {
        var result = await Cli("fire", "pipeline-trigger", "-d", data);

        Assert.Equal(2, result.ExitCode);
        Assert.Null(_dispatcher.LastFire);
    }

    [Fact]
    public async Task A_trigger_without_a_local_token_is_named_with_the_file()
    {
        var result = await Cli("fire", "no-such-trigger", "-o", "json");

        Assert.Equal(1, result.ExitCode);
        var error = JsonNode.Parse(result.Error)!["error"]!;
        Assert.Equal("no-token", error["code"]!.GetValue<string>());
        Assert.Contains("no-such-trigger-webhook-token", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_trigger_the_dispatcher_refuses_says_so()
    {
        // The token is in the file but the dispatcher knows no such trigger in that namespace: 401, as for a wrong token.
        var result = await Cli("fire", "pipeline-trigger", "-n", "elsewhere");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no such trigger in namespace elsewhere", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_wrong_type_is_explained()
    {
        var secrets = Path.GetTempFileName();
        await File.WriteAllTextAsync(secrets, new JsonObject { ["morning-digest-webhook-token"] = new JsonObject { ["token"] = FakeDispatcher.Token } }.ToJsonString());

        var result = await CliRun.RunAsync("fire", "morning-digest", "-n", "ai-team", "--url", _dispatcher.Url.ToString(), "--secrets-file", secrets);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is not a webhook trigger", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_dispatcher_is_a_clear_error()
    {
        var result = await CliRun.RunAsync("fire", "pipeline-trigger", "--url", "http://127.0.0.1:9", "--secrets-file", SecretsFile, "-o", "json");

        Assert.Equal(1, result.ExitCode);
        var error = JsonNode.Parse(result.Error)!["error"]!;
        Assert.Equal("unreachable", error["code"]!.GetValue<string>());
        Assert.Contains("cannot reach the dispatcher at http://127.0.0.1:9/", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_shows_each_target()
    {
        await Cli("fire", "pipeline-trigger", "-n", "ai-team", "--idempotency-key", "r1", "-d", """{"fail":true}""");

        var text = await Cli("run", "pipeline-trigger", "run-r1", "-n", "ai-team");
        var json = await Cli("run", "pipeline-trigger", "run-r1", "-n", "ai-team", "-o", "json");

        Assert.Equal(0, text.ExitCode);
        Assert.StartsWith("run run-r1 Failed in 1500 ms", text.Out, StringComparison.Ordinal);
        Assert.Contains(text.OutLines, l => l.StartsWith("my-flow", StringComparison.Ordinal) && l.Contains("Failed", StringComparison.Ordinal) && l.EndsWith("the flow said no", StringComparison.Ordinal));
        Assert.Equal("Failed", json.Json["targets"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_run_is_a_404_message()
    {
        var result = await Cli("run", "pipeline-trigger", "nope", "-n", "ai-team");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("has no such run", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_says_what_it_can_without_a_cluster()
    {
        var result = await Cli("runs", "pipeline-trigger", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Json["runs"]!.AsArray());
        Assert.Contains("arkevent run NAME RUNID", result.Json["note"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_token_needs_a_cluster()
    {
        var result = await Cli("rotate-token", "pipeline-trigger");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("needs a cluster", result.Error, StringComparison.Ordinal);
    }
}
