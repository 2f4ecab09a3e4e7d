using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Flows;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Tests.Catalog;
using Arkonis.Dispatcher.Tests.Harness;
using YamlDotNet.RepresentationModel;

namespace Arkonis.Dispatcher.Tests.Samples;

/// <summary>
/// <c>components/resiliency.yaml</c> makes daprd retry a completion the dispatcher answers with RETRY, which
/// <c>pubsub.in-memory</c> would otherwise drop after its 10 quick attempts (components-contrib
/// <c>pubsub/in-memory/in-memory.go</c>). Read from dapr/dapr: the file's shape is
/// <c>pkg/apis/resiliency/v1alpha1/types.go</c> (<c>spec.policies.retries</c>, <c>spec.targets.components.&lt;name&gt;.inbound</c>,
/// <c>scopes</c>); daprd loads it from the resources path (<c>pkg/resiliency/resiliency.go</c> <c>LoadLocalResiliency</c>);
/// every delivery of a subscription runs inside <c>ComponentInboundPolicy(pubsubName, Pubsub)</c>
/// (<c>pkg/runtime/subscription/subscription.go</c>), and a RETRY answer is a retriable error
/// (<c>pkg/runtime/subscription/postman/http/http.go</c>). The names must be the ones the dispatcher subscribes with.
/// </summary>
public sealed class ResiliencyFileTests(DispatcherFixture app) : IClassFixture<DispatcherFixture>
{
    private static readonly string Root = YamlDirectoryCatalogTests.RepositoryRoot();

    private static YamlMappingNode Resiliency()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, "components", "resiliency.yaml"));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }
        return node;
    }

    private static string Text(YamlNode node, params string[] path) => ((YamlScalarNode)At(node, path)).Value!;

    [Fact]
    public void It_is_a_Resiliency_whose_inbound_retry_targets_the_dispatchers_pubsub_component_in_the_dispatcher()
    {
        var resiliency = Resiliency();

        Assert.Equal("dapr.io/v1alpha1", Text(resiliency, "apiVersion"));
        Assert.Equal("Resiliency", Text(resiliency, "kind"));
        var retryName = Text(resiliency, "spec", "targets", "components", FlowCompletedSubscription.PubSubName, "inbound", "retry");
        var retry = At(resiliency, "spec", "policies", "retries", retryName);
        Assert.Contains(Text(retry, "policy"), new[] { "constant", "exponential" });
        Assert.True(int.Parse(Text(retry, "maxRetries"), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Matches(@"^\d+(ms|s|m)$", Text(retry, "duration"));
        // Scopes are app ids: the policy must load in the daprd that delivers flow-completed to the dispatcher.
        Assert.Contains(
            DispatcherPipeline.ServiceName,
            ((YamlSequenceNode)At(resiliency, "scopes")).Children.Select(s => ((YamlScalarNode)s).Value));
    }

    [Fact]
    public async Task The_component_it_names_is_the_one_the_running_dispatcher_subscribes_flow_completed_on()
    {
        // What daprd reads from the app (GET /dapr/subscribe on the callback port) is what the policy must cover.
        var subscriptions = await app.Callbacks.GetFromJsonAsync<JsonArray>("/dapr/subscribe");
        var targeted = ((YamlMappingNode)At(Resiliency(), "spec", "targets", "components")).Children.Keys
            .Select(k => ((YamlScalarNode)k).Value!)
            .ToList();

        Assert.Contains(subscriptions!, s =>
            (string?)s!["pubsubName"] == FlowCompletedSubscription.PubSubName && (string?)s["topic"] == FlowCompletedSubscription.Topic);
        Assert.All(subscriptions!, s => Assert.Contains((string)s!["pubsubName"]!, targeted));
    }
}
