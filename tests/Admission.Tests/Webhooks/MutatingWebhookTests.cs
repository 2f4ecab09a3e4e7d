using System.Text.Json.Nodes;
using Arkonis.Admission.Tests.Support;
using Arkonis.Model.Defaulting;
using Arkonis.Model.Resources;
using k8s;

namespace Arkonis.Admission.Tests.Webhooks;

public sealed class MutatingWebhookTests(AdmissionApp app) : IClassFixture<AdmissionApp>
{
    private readonly AdmissionClient _client = new(app.CreateClient());

    private static JsonObject Event(JsonObject spec, string name = "pipeline-trigger") => ApiServer.AsStored(new JsonObject
    {
        ["apiVersion"] = "arkonis.dev/v1alpha1",
        ["kind"] = "ArkEvent",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject { ["app.kubernetes.io/name"] = "x" },
            ["annotations"] = new JsonObject { ["kubectl.kubernetes.io/last-applied-configuration"] = "{\"a\":1}\n" },
        },
        ["spec"] = spec,
    });

    public static TheoryData<string, string> Specs => new()
    {
        { "cron without optional fields", """{"source":{"type":"cron","cron":"0 8 * * *"},"targets":[{"pipeline":"a"}]}""" },
        { "flow-output without onPhase", """{"source":{"type":"flow-output","flow":"up"},"targets":[{"pipeline":"a"},{"pipeline":"b"}]}""" },
        { "explicit nulls", """{"source":{"type":"cron","cron":"@hourly","timezone":null},"targets":[{"pipeline":"a","input":null}],"suspend":null}""" },
        { "fields the model does not know", """{"source":{"type":"webhook","extra":{"x/y":1}},"targets":[{"pipeline":"a","weight":3}],"future":true}""" },
        { "no source", """{"targets":[{"pipeline":"a"}]}""" },
        { "everything set", """{"source":{"type":"cron","cron":"0 8 * * *","timezone":"UTC"},"targets":[{"pipeline":"a"}],"concurrencyPolicy":"Forbid","suspend":true,"successfulRunsHistoryLimit":0,"failedRunsHistoryLimit":5}""" },
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public async Task Patch_applies_strictly_adds_only_what_the_defaulter_adds_and_is_idempotent(string _, string spec)
    {
        var obj = Event(JsonNode.Parse(spec)!.AsObject());

        var response = await _client.MutateAsync(ApiServer.Review("CREATE", obj));
        Assert.True(response["allowed"]!.GetValue<bool>());
        var patch = AdmissionClient.Patch(response) ?? [];
        // Defaulting only fills in: an add, or a replace of an explicit null; never a remove.
        Assert.All(patch, op => Assert.Contains(op!["op"]!.GetValue<string>(), new[] { "add", "replace" }));
        var patched = AdmissionClient.Apply(obj, patch);

        // Same result as the model's own list of missing defaults, and nothing outside spec changed.
        var expected = obj.DeepClone().AsObject();
        foreach (var field in ArkEventDefaulter.MissingDefaults(KubernetesJson.Deserialize<ArkEvent>(obj.ToJsonString())))
        {
            var segments = field.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var parent = segments[..^1].Aggregate((JsonNode)expected, (node, segment) => node[segment]!);
            parent[segments[^1]] = field.Value.DeepClone();
        }

        Assert.True(JsonNode.DeepEquals(expected, patched), $"expected {expected["spec"]!.ToJsonString()} got {patched["spec"]!.ToJsonString()}");

        var again = await _client.MutateAsync(ApiServer.Review("CREATE", patched));
        Assert.Null(AdmissionClient.Patch(again));
    }

    [Fact]
    public async Task Missing_spec_is_added_as_one_whole_object()
    {
        var obj = Event(new JsonObject());
        obj.Remove("spec");

        var patch = AdmissionClient.Patch(await _client.MutateAsync(ApiServer.Review("CREATE", obj)))!;
        var op = Assert.Single(patch)!;
        Assert.Equal("/spec", op["path"]!.GetValue<string>());
        Assert.Equal("Allow", AdmissionClient.Apply(obj, patch)["spec"]!["concurrencyPolicy"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_and_dry_run_are_defaulted_like_create()
    {
        var old = Event(JsonNode.Parse("""{"source":{"type":"cron","cron":"0 8 * * *","timezone":"UTC"},"targets":[{"pipeline":"a"}],"concurrencyPolicy":"Allow","suspend":false,"successfulRunsHistoryLimit":3,"failedRunsHistoryLimit":1}""")!.AsObject());
        var updated = Event(JsonNode.Parse("""{"source":{"type":"cron","cron":"0 9 * * *"},"targets":[{"pipeline":"a"}],"concurrencyPolicy":"Allow","suspend":false,"successfulRunsHistoryLimit":3,"failedRunsHistoryLimit":1}""")!.AsObject());
        updated["metadata"]!["generation"] = 2;

        var wet = AdmissionClient.Patch(await _client.MutateAsync(ApiServer.Review("UPDATE", updated, old)))!;
        var dry = AdmissionClient.Patch(await _client.MutateAsync(ApiServer.Review("UPDATE", updated, old, dryRun: true)))!;

        Assert.Equal("""[{"op":"add","path":"/spec/source/timezone","value":"UTC"}]""", wet.ToJsonString());
        Assert.Equal(wet.ToJsonString(), dry.ToJsonString());
    }

    [Fact]
    public async Task Create_with_generate_name_and_empty_name_is_defaulted()
    {
        var obj = Event(JsonNode.Parse("""{"source":{"type":"webhook"},"targets":[{"pipeline":"a"}]}""")!.AsObject());
        obj["metadata"]!.AsObject().Remove("name");
        obj["metadata"]!["generateName"] = "hook-";

        var review = ApiServer.Review("CREATE", obj);
        Assert.Equal(string.Empty, review["request"]!["name"]!.GetValue<string>());
        var patch = AdmissionClient.Patch(await _client.MutateAsync(review))!;
        Assert.Equal(4, patch.Count);
    }
}
