using System.Text.Json.Nodes;
using Arkonis.Cli.Tests.Support;

namespace Arkonis.Cli.Tests;

/// <summary>With a kubeconfig: a stand-in API server for the ArkEvent, its Secret and ArkFlows, and a stand-in dispatcher.</summary>
public sealed class ClusterModeTests : IAsyncLifetime
{
    private FakeKubeApi _api = null!;
    private FakeDispatcher _dispatcher = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeKubeApi.StartAsync();
        _dispatcher = await FakeDispatcher.StartAsync();
        _api.AddEvent("ai-team", "pipeline-trigger", new JsonObject { ["type"] = "webhook" }, new JsonObject
        {
            ["webhookURL"] = new Uri(_dispatcher.Url, "/triggers/ai-team/pipeline-trigger/fire").ToString(),
            ["firedCount"] = 2,
            ["lastFiredAt"] = "2026-03-23T11:00:00Z",
            ["lastRun"] = new JsonObject { ["id"] = "run-b", ["result"] = "Succeeded", ["completedAt"] = "2026-03-23T11:00:02Z" },
        });
        _api.AddEvent("ai-team", "morning-digest", new JsonObject { ["type"] = "cron", ["cron"] = "0 8 * * 1-5", ["timezone"] = "Europe/Amsterdam" });
        _api.Secrets["ai-team/pipeline-trigger-webhook-token"] = new() { ["token"] = FakeDispatcher.Token };
        _api.ArkFlows.Add(Flow("run-a", "my-flow", "Succeeded", "2026-03-23T10:00:00Z", "2026-03-23T10:00:03Z"));
        _api.ArkFlows.Add(Flow("run-b", "my-flow", "Succeeded", "2026-03-23T11:00:00Z", "2026-03-23T11:00:02Z"));
        _api.ArkFlows.Add(Flow("run-b", "other-flow", "Running", "2026-03-23T11:00:00Z", null));
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _dispatcher.DisposeAsync();
    }

    private Task<CliResult> Cli(params string[] args) => CliRun.RunAsync([.. args, "--kubeconfig", _api.KubeconfigPath]);

    [Fact]
    public async Task Fire_reads_the_secret_and_calls_the_published_webhook_url_in_the_context_namespace()
    {
        var result = await Cli("fire", "pipeline-trigger", "-d", "{}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("Bearer " + FakeDispatcher.Token, _dispatcher.LastFire!.Authorization);
        Assert.Equal("ai-team", _dispatcher.LastFire.Namespace);
        Assert.StartsWith("run-", result.OutLines.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispatcher_url_overrides_the_published_one()
    {
        var result = await Cli("fire", "pipeline-trigger", "--dispatcher-url", "http://127.0.0.1:9");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot reach the dispatcher at http://127.0.0.1:9/", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_trigger_is_named()
    {
        var result = await Cli("fire", "nope", "-o", "json");

        Assert.Equal(1, result.ExitCode);
        var error = JsonNode.Parse(result.Error)!["error"]!;
        Assert.Equal("not-found", error["code"]!.GetValue<string>());
        Assert.Equal("no ArkEvent nope in namespace ai-team", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_cron_event_cannot_be_fired()
    {
        var result = await Cli("fire", "morning-digest");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is a cron event: only webhook events can be fired", result.Error, StringComparison.Ordinal);
        Assert.Null(_dispatcher.LastFire);
    }

    [Fact]
    public async Task A_missing_secret_is_explained()
    {
        _api.AddEvent("ai-team", "fresh", new JsonObject { ["type"] = "webhook" });

        var result = await Cli("fire", "fresh");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no Secret fresh-webhook-token in namespace ai-team", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_kubeconfig_is_explained()
    {
        var result = await CliRun.RunAsync("fire", "pipeline-trigger", "--kubeconfig", "/no/such/kubeconfig");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: no kubeconfig at /no/such/kubeconfig: set KUBECONFIG or --kubeconfig, or use --url for a local dispatcher", result.Error.Trim());
    }

    [Fact]
    public async Task An_unreachable_api_server_is_explained()
    {
        var kubeconfig = Path.GetTempFileName();
        await File.WriteAllTextAsync(kubeconfig, (await File.ReadAllTextAsync(_api.KubeconfigPath)).Replace(_api.Url.ToString().TrimEnd('/'), "http://127.0.0.1:9", StringComparison.Ordinal));

        var result = await CliRun.RunAsync("runs", "pipeline-trigger", "--kubeconfig", kubeconfig);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot reach the Kubernetes API server", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_lists_the_status_and_the_runs_newest_first()
    {
        var text = await Cli("runs", "pipeline-trigger");
        var json = await Cli("runs", "pipeline-trigger", "-o", "json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("last run: run-b Succeeded", text.Out, StringComparison.Ordinal);
        var rows = text.OutLines.SkipWhile(l => !l.StartsWith("RUN", StringComparison.Ordinal)).Skip(1).ToList();
        Assert.StartsWith("run-b", rows[0], StringComparison.Ordinal);
        Assert.EndsWith("my-flow=Succeeded, other-flow=Running", rows[0], StringComparison.Ordinal);
        Assert.StartsWith("run-a", rows[1], StringComparison.Ordinal);

        var runs = json.Json["runs"]!.AsArray();
        Assert.Equal(["run-b", "run-a"], runs.Select(r => r!["runId"]!.GetValue<string>()));
        Assert.Null(runs[0]!["completedAt"]);
        Assert.Equal(2, json.Json["firedCount"]!.GetValue<long>());
    }

    [Fact]
    public async Task Run_reads_the_run_status_endpoint_with_the_secret_token()
    {
        await Cli("fire", "pipeline-trigger", "--idempotency-key", "c1");

        var result = await Cli("run", "pipeline-trigger", "run-c1", "-o", "json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Succeeded", result.Json["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rotate_token_sets_the_annotation_with_a_merge_patch()
    {
        var result = await Cli("rotate-token", "pipeline-trigger", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var (path, contentType, body) = Assert.Single(_api.Patches);
        Assert.Equal("/apis/arkonis.dev/v1alpha1/namespaces/ai-team/arkevents/pipeline-trigger", path);
        Assert.StartsWith("application/merge-patch+json", contentType, StringComparison.Ordinal);
        Assert.Equal("2026-03-23T12:00:00.000Z", JsonNode.Parse(body)!["metadata"]!["annotations"]!["arkonis.dev/rotate-token"]!.GetValue<string>());
        Assert.Equal("pipeline-trigger-webhook-token", result.Json["secret"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rotate_token_refuses_a_cron_event()
    {
        var result = await Cli("rotate-token", "morning-digest");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(_api.Patches);
    }

    [Fact]
    public async Task Next_reads_the_event_from_the_cluster()
    {
        var result = await Cli("next", "morning-digest", "--count", "2", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["2026-03-24T07:00:00Z", "2026-03-25T07:00:00Z"], result.Json["next"]!.AsArray().Select(n => n!["utc"]!.GetValue<string>()));
    }

    private static JsonObject Flow(string runId, string pipeline, string phase, string created, string? completed) => new()
    {
        ["apiVersion"] = "arkonis.dev/v1alpha1",
        ["kind"] = "ArkFlow",
        ["metadata"] = new JsonObject
        {
            ["name"] = $"{pipeline}-{runId}",
            ["namespace"] = "ai-team",
            ["creationTimestamp"] = created,
            ["labels"] = new JsonObject { ["arkonis.dev/event"] = "pipeline-trigger", ["arkonis.dev/pipeline"] = pipeline },
            ["annotations"] = new JsonObject { ["arkonis.dev/run-id"] = runId },
        },
        ["status"] = new JsonObject { ["phase"] = phase, ["completionTime"] = completed },
    };
}
