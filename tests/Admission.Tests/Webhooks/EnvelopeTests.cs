using System.Text.Json.Nodes;
using Arkonis.Admission.Tests.Support;

namespace Arkonis.Admission.Tests.Webhooks;

/// <summary>The admission.k8s.io/v1 contract on captured apiserver requests and on every operation.</summary>
public sealed class EnvelopeTests(AdmissionApp app) : IClassFixture<AdmissionApp>
{
    private readonly AdmissionClient _client = new(app.CreateClient());

    public static TheoryData<string, string> FixturesThroughBothEndpoints => new()
    {
        { "04-opa-example-certmanager-certificate-create.review.json", AdmissionClient.ValidatePath },
        { "04-opa-example-certmanager-certificate-create.review.json", AdmissionClient.MutatePath },
        { "05-cloud-custodian-pod-create.raw.review.json", AdmissionClient.ValidatePath },
        { "05-cloud-custodian-pod-create.raw.review.json", AdmissionClient.MutatePath },
    };

    [Theory]
    [MemberData(nameof(FixturesThroughBothEndpoints))]
    public async Task Captured_reviews_of_other_kinds_are_allowed_with_a_warning(string fixture, string path)
    {
        var response = await _client.PostAsync(path, ApiServer.Fixture(fixture));

        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.False(response.ContainsKey("patch"));
        var warning = Assert.Single(response["warnings"]!.AsArray())!.GetValue<string>();
        Assert.StartsWith("the ArkEvent admission webhook received a ", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pod_fixture_warning_names_the_kind()
    {
        var response = await _client.ValidateAsync(ApiServer.Fixture("05-cloud-custodian-pod-create.raw.review.json"));
        Assert.Equal("the ArkEvent admission webhook received a core/v1 Pod and did not check it", response["warnings"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData(AdmissionClient.ValidatePath)]
    [InlineData(AdmissionClient.MutatePath)]
    public async Task Delete_is_allowed_without_patch_even_for_an_invalid_stored_object(string path)
    {
        var stored = ApiServer.AsStored(new JsonObject
        {
            ["apiVersion"] = "arkonis.dev/v1alpha1",
            ["kind"] = "ArkEvent",
            ["metadata"] = new JsonObject { ["name"] = "broken" },
            ["spec"] = new JsonObject { ["source"] = new JsonObject { ["type"] = "nonsense" } },
        });

        var response = await _client.PostAsync(path, ApiServer.Review("DELETE", null, stored));

        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.False(response.ContainsKey("patch"));
        Assert.False(response.ContainsKey("warnings"));
    }

    [Fact]
    public async Task Connect_and_unknown_operations_are_allowed()
    {
        var review = ApiServer.Review("CONNECT", null);
        Assert.True((await _client.ValidateAsync(review))["allowed"]!.GetValue<bool>());
        Assert.True((await _client.MutateAsync(review))["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Absent_object_on_create_is_denied_with_required_causes_and_gets_no_patch()
    {
        var review = ApiServer.Review("CREATE", null);
        review["request"]!.AsObject().Remove("object");
        review["request"]!["name"] = "ghost";

        var validated = await _client.ValidateAsync(review);
        Assert.False(validated["allowed"]!.GetValue<bool>());
        Assert.Equal(422, validated["status"]!["code"]!.GetValue<int>());
        var causes = validated["status"]!["details"]!["causes"]!.AsArray();
        Assert.NotEmpty(causes);
        Assert.Contains(causes, c => c!["reason"]!.GetValue<string>() == "FieldValueRequired");
        Assert.Equal("ghost", validated["status"]!["details"]!["name"]!.GetValue<string>());

        var mutated = await _client.MutateAsync(review);
        Assert.True(mutated["allowed"]!.GetValue<bool>());
        Assert.False(mutated.ContainsKey("patch"));
    }

    [Fact]
    public async Task Object_with_wrong_types_is_denied_with_the_field_not_a_500()
    {
        var obj = new JsonObject
        {
            ["apiVersion"] = "arkonis.dev/v1alpha1",
            ["kind"] = "ArkEvent",
            ["metadata"] = new JsonObject { ["name"] = "typo" },
            ["spec"] = new JsonObject { ["source"] = new JsonObject { ["type"] = "webhook" }, ["targets"] = "my-flow" },
        };

        var validated = await _client.ValidateAsync(ApiServer.Review("CREATE", obj));
        Assert.False(validated["allowed"]!.GetValue<bool>());
        var cause = Assert.Single(validated["status"]!["details"]!["causes"]!.AsArray())!;
        Assert.Equal("spec.targets", cause["field"]!.GetValue<string>());

        var mutated = await _client.MutateAsync(ApiServer.Review("CREATE", obj));
        Assert.True(mutated["allowed"]!.GetValue<bool>());
        Assert.False(mutated.ContainsKey("patch"));
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"an ArkEvent\"")]
    [InlineData("42")]
    public async Task Object_that_is_not_a_json_object_is_denied_on_validate_and_left_alone_on_mutate(string obj)
    {
        var review = ApiServer.Review("CREATE", JsonNode.Parse(obj));
        review["request"]!["name"] = "odd";

        var validated = await _client.ValidateAsync(review);
        Assert.False(validated["allowed"]!.GetValue<bool>());
        Assert.Equal("<object>: Invalid value: must be a JSON object", Kubectl.Render(validated, "x.yaml").Split(": ", 2)[1].TrimEnd('\n'));

        var mutated = await _client.MutateAsync(review);
        Assert.True(mutated["allowed"]!.GetValue<bool>());
        Assert.False(mutated.ContainsKey("patch"));
    }

    [Fact]
    public async Task Key_order_and_unknown_envelope_fields_do_not_matter()
    {
        var review = ApiServer.Fixture("04-opa-example-certmanager-certificate-create.review.json");
        review["request"]!["somethingNew"] = new JsonObject { ["x"] = 1 };
        review["extra"] = true;
        var reordered = new JsonObject();
        foreach (var (key, value) in review.Reverse().ToList())
        {
            reordered[key] = value?.DeepClone();
        }

        Assert.True((await _client.ValidateAsync(reordered))["allowed"]!.GetValue<bool>());
    }
}
