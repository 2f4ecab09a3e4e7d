using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Tests.Catalog;
using Arkonis.Dispatcher.Tests.Harness;
using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;
using YamlDotNet.RepresentationModel;

namespace Arkonis.Dispatcher.Tests.Workflows;

/// <summary>
/// Finished runs are purged by the runtime once the Configuration's <c>spec.workflow.stateRetentionPolicy</c> says so
/// (Dapr 1.17+; dapr/dapr <c>pkg/config/configuration.go</c>, <c>WorkflowStateRetentionPolicy</c>, as proposed in
/// dapr/proposals "Workflow: History State Retention": <c>anyTerminal</c>, <c>completed</c>, <c>failed</c>,
/// <c>terminated</c>). The files wire it locally and in the cluster; a purged run reads as <c>run-not-found</c>.
/// </summary>
public sealed class RetentionTests(DispatcherFixture app) : IClassFixture<DispatcherFixture>
{
    private static readonly string Root = YamlDirectoryCatalogTests.RepositoryRoot();

    private static YamlMappingNode Load(params string[] path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine([Root, .. path]));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Scalar(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }
        return ((YamlScalarNode)node).Value!;
    }

    [Theory]
    [InlineData("components", "configuration.yaml")]
    [InlineData("deploy", "dapr", "configuration.yaml")]
    public void The_configuration_keeps_finished_runs_as_long_as_the_dispatcher_expects(params string[] path)
    {
        var configuration = Load(path);
        Assert.Equal("Configuration", Scalar(configuration, "kind"));
        Assert.Equal("arkevent-dispatcher", Scalar(configuration, "metadata", "name"));
        var anyTerminal = Scalar(configuration, "spec", "workflow", "stateRetentionPolicy", "anyTerminal");
        Assert.Equal("168h", anyTerminal);
        Assert.Equal(new RunOptions().Retention, TimeSpan.FromHours(int.Parse(anyTerminal.TrimEnd('h'), System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Dapr_run_and_the_cluster_both_load_it()
    {
        // dapr.yaml: an app's configFilePath is resolved against its appDirPath (dapr/cli pkg/runfileconfig/run_file_config_parser.go).
        var dispatcher = ((YamlSequenceNode)Load("dapr.yaml").Children[new YamlScalarNode("apps")]).Children.Cast<YamlMappingNode>()
            .Single(a => Scalar(a, "appID") == "arkevent-dispatcher");
        var configFile = Path.GetFullPath(Path.Combine(Root, Scalar(dispatcher, "appDirPath"), Scalar(dispatcher, "configFilePath")));
        Assert.Equal(Path.GetFullPath(Path.Combine(Root, "components", "configuration.yaml")), configFile);

        // The cluster: the pod names the Configuration, and the kustomization ships it.
        var deployment = Load("deploy", "dispatcher", "deployment.yaml");
        Assert.Equal("arkevent-dispatcher", Scalar(deployment, "spec", "template", "metadata", "annotations", "dapr.io/config"));
        var resources = ((YamlSequenceNode)Load("deploy", "dapr", "kustomization.yaml").Children[new YamlScalarNode("resources")])
            .Children.Select(n => ((YamlScalarNode)n).Value);
        Assert.Contains("configuration.yaml", resources);
    }

    [Fact]
    public async Task A_purged_run_reads_as_run_not_found()
    {
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire?mode=sync&timeout=20s", """{"topic":"purge-me"}""");
        using var done = await app.Public.SendAsync(fire);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        var run = (await done.Content.ReadFromJsonAsync<JsonObject>())!;
        var statusUrl = (string)run["statusUrl"]!;

        // What the runtime does when the retention period has passed.
        Assert.True(await app.Services.GetRequiredService<DaprWorkflowClient>().PurgeInstanceAsync((string)run["runId"]!));

        using var read = DispatcherFixture.Authorized(HttpMethod.Get, statusUrl);
        using var answer = await app.Public.SendAsync(read);
        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        var problem = (await answer.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("https://arkonis.dev/problems/run-not-found", (string)problem["type"]!);
    }

    [Fact]
    public async Task A_finished_run_leaves_no_timer_in_the_runtime_and_a_purged_one_no_history()
    {
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/fanout/fire",
            """{"alpha":"4000","beta":"4000","gamma":"4000","topic":"timers"}""");
        using var accepted = await app.Public.SendAsync(fire);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var runId = (string)(await accepted.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!;

        // While its flows run, each target's wait for its completion holds a timer: the deadline, an hour away.
        await Eventually.Until(() => app.Sidecar.Timers.ArmedFor(runId) == 3, "the three waits' timers to be armed", TimeSpan.FromSeconds(20));
        var client = app.Services.GetRequiredService<DaprWorkflowClient>();
        await DispatcherFixture.EventuallyAsync(
            () => client.GetWorkflowStateAsync(runId, false),
            s => s is { RuntimeStatus: WorkflowRuntimeStatus.Completed },
            TimeSpan.FromSeconds(30),
            $"run {runId} to complete");

        // Over, the run's timers go with it (the in-process server alone would hold them for the hour).
        Assert.Equal(0, app.Sidecar.Timers.ArmedFor(runId));
        Assert.NotEmpty(app.Sidecar.Histories.Of(runId));

        // Purged, its history goes too, as daprd's purge deletes the workflow's state and reminders.
        Assert.True(await client.PurgeInstanceAsync(runId));
        Assert.Empty(app.Sidecar.Histories.Of(runId));
    }
}
