using Arkonis.Dispatcher.Catalog;
using Arkonis.Embedded.Hosting;
using Arkonis.Embedded.Runtime;
using Arkonis.Embedded.Startup;

namespace Arkonis.Embedded.Tests;

/// <summary>What the run prints at start, for the repository's own samples at a fixed time.</summary>
public sealed class StartupBannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 3, 30, 20, TimeSpan.Zero);

    private static string Banner()
    {
        var layout = RepositoryLayout.Find(Repo.Root);
        var catalog = YamlDirectoryLoader.Load(layout.EventsDirectory, "default", TimeProvider.System).Entries.Select(e => e.Entry);
        var secrets = LocalSecretsFile.Read(layout.SecretsFile);
        return StartupBanner.Render(layout, catalog, secrets, new EmbeddedRuntimeOptions { GrpcPort = 50001, HttpPort = 3500 }, 8092, Now);
    }

    [Fact]
    public void It_says_runs_live_in_memory_and_where_each_part_listens()
    {
        var banner = Banner();

        Assert.Contains("Runs live in memory", banner, StringComparison.Ordinal);
        Assert.Contains("http://localhost:8092", banner, StringComparison.Ordinal);
        Assert.Contains("gRPC 127.0.0.1:50001, HTTP 127.0.0.1:3500", banner, StringComparison.Ordinal);
        Assert.Contains("components/secrets.json", banner, StringComparison.Ordinal);
    }

    [Fact]
    public void It_prints_the_dashboard_URL_when_given_its_port()
    {
        var layout = RepositoryLayout.Find(Repo.Root);
        var banner = StartupBanner.Render(layout, [], new Dictionary<string, IReadOnlyDictionary<string, string>>(), new EmbeddedRuntimeOptions(), 8092, Now, 8095);

        Assert.Contains("  dashboard     http://localhost:8095/   (read-only", banner, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_sample_says_how_it_fires_the_webhook_with_its_URL_and_token_and_cron_with_its_next_fire()
    {
        var banner = Banner();

        Assert.Contains("POST http://localhost:8092/triggers/ai-team/pipeline-trigger/fire", banner, StringComparison.Ordinal);
        Assert.Contains("key \"pipeline-trigger-webhook-token\"", banner, StringComparison.Ordinal);
        Assert.Contains("next fire 2026-11-29 03:31:00Z (03:31 UTC), in 40 s", banner, StringComparison.Ordinal);
        Assert.Contains("next fire 2026-11-29 07:00:00Z (08:00 Europe/Berlin), in 3 h 29 min", banner, StringComparison.Ordinal);
        Assert.Contains("flow-output: when research-flow ends Succeeded -> publish-flow", banner, StringComparison.Ordinal);
    }

    [Fact]
    public void The_curl_line_to_copy_is_the_README_one_with_the_token()
    {
        var banner = Banner();
        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md"));

        Assert.Contains("  TOKEN=dev-token-pipeline-trigger\n", banner.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("TOKEN=dev-token-pipeline-trigger", readme, StringComparison.Ordinal);
        Assert.Contains(
            "curl -si -X POST http://localhost:8092/triggers/ai-team/pipeline-trigger/fire -H \"Authorization: Bearer $TOKEN\" -H \"Content-Type: application/json\" -d '{\"topic\": \"durable workflows\"}'",
            banner, StringComparison.Ordinal);
    }
}
