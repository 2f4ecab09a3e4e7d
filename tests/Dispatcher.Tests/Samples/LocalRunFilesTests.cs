using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Tests.Catalog;
using Arkonis.Dispatcher.Triggers.Cron;
using Arkonis.Dispatcher.Triggers.Webhook;
using Arkonis.Model.Resources;
using YamlDotNet.RepresentationModel;

namespace Arkonis.Dispatcher.Tests.Samples;

/// <summary>
/// <c>dapr run -f .</c> cannot run here (no daprd), so its files, and the calls the README and docs/local-run.md tell
/// users to make, are checked against the names and ports the code uses: a renamed component, a moved port or a
/// changed development token would otherwise only show when a user tries the README.
/// </summary>
public sealed class LocalRunFilesTests
{
    private static readonly string Root = YamlDirectoryCatalogTests.RepositoryRoot();

    private static YamlMappingNode Load(string relativePath)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, relativePath));
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

    private static YamlMappingNode App(string appId) =>
        ((YamlSequenceNode)Load("dapr.yaml").Children[new YamlScalarNode("apps")]).Children.Cast<YamlMappingNode>()
            .Single(a => Scalar(a, "appID") == appId);

    private static Dictionary<string, YamlMappingNode> Components() =>
        Directory.EnumerateFiles(Path.Combine(Root, "components"), "*.yaml")
            .Select(f => Load(Path.GetRelativePath(Root, f)))
            .ToDictionary(c => Scalar(c, "metadata", "name"));

    [Fact]
    public void The_components_carry_the_names_the_dispatcher_uses()
    {
        var components = Components();

        Assert.Equal("pubsub.in-memory", Scalar(components[FlowCompletedSubscription.PubSubName], "spec", "type"));
        Assert.Equal("bindings.cron", Scalar(components[new CronTriggerOptions().BindingName], "spec", "type"));
        Assert.Equal("secretstores.local.file", Scalar(components[new TriggerApiOptions().SecretStore], "spec", "type"));
        var state = components[new CronTriggerOptions().StateStore];
        Assert.StartsWith("state.", Scalar(state, "spec", "type"), StringComparison.Ordinal);
        Assert.Contains(
            ((YamlSequenceNode)((YamlMappingNode)state.Children[new YamlScalarNode("spec")]).Children[new YamlScalarNode("metadata")]).Children,
            m => Scalar(m, "name") == "actorStateStore" && Scalar(m, "value") == "true");
    }

    [Fact]
    public void The_run_file_uses_the_dispatcher_ports_and_publishes_through_the_dispatcher_sidecar()
    {
        var dispatcher = App(DispatcherPipeline.ServiceName);
        var runner = App(new FlowRunnerOptions().AppId);
        var ports = new PortsOptions();

        Assert.Equal(ports.Callback.ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar(dispatcher, "appPort"));
        Assert.Equal(Scalar(dispatcher, "appPort"), Scalar(dispatcher, "env", "Ports__Callback"));
        Assert.Equal(ports.Public.ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar(dispatcher, "env", "Ports__Public"));
        Assert.Equal("true", Scalar(dispatcher, "enableAppHealthCheck"));
        // pubsub.in-memory lives in one daprd: the runner's completions must go through the dispatcher's sidecar.
        Assert.Equal($"http://127.0.0.1:{Scalar(dispatcher, "daprGRPCPort")}", Scalar(runner, "env", "FlowRunner__PublishGrpcEndpoint"));
        Assert.EndsWith(":" + Scalar(runner, "appPort"), Scalar(runner, "env", "ASPNETCORE_URLS"), StringComparison.Ordinal);
        // The dispatcher runs in its appDirPath (dapr/cli cmd/run.go), so its relative paths are read from there.
        var appDirectory = DaprRunFile.Load(Path.Combine(Root, "dapr.yaml")).App(DispatcherPipeline.ServiceName).AppDirPath;
        Assert.True(Directory.Exists(Path.Combine(appDirectory, Scalar(dispatcher, "env", "Catalog__Directory"))));
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/local-run.md")]
    public void The_walkthrough_calls_use_the_public_port_and_the_development_token(string page)
    {
        var text = File.ReadAllText(Path.Combine(Root, page));
        var secrets = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "components", "secrets.json")))!.AsObject();
        var token = (string)secrets[WebhookTokens.SecretName("pipeline-trigger")]![WebhookTokens.TokenKey]!;
        var ports = Regex.Matches(text, @"http://localhost:(\d+)/triggers/").Select(m => m.Groups[1].Value).ToList();

        Assert.Contains($"TOKEN={token}", text, StringComparison.Ordinal);
        Assert.NotEmpty(ports);
        Assert.All(ports, port => Assert.Equal(new PortsOptions().Public.ToString(System.Globalization.CultureInfo.InvariantCulture), port));
    }

    [Fact]
    public void Every_sample_webhook_event_has_a_development_token()
    {
        var secrets = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "components", "secrets.json")))!.AsObject();
        var webhooks = YamlDirectoryLoader.Load(Path.Combine(Root, "samples", "events"), "default", TimeProvider.System).Entries
            .Where(e => e.Entry.Event.Spec.Source?.Type == SourceTypes.Webhook)
            .Select(e => e.Entry.Name)
            .ToList();

        Assert.NotEmpty(webhooks);
        Assert.All(webhooks, name =>
            Assert.False(string.IsNullOrEmpty((string?)secrets[WebhookTokens.SecretName(name)]?[WebhookTokens.TokenKey])));
    }
}
