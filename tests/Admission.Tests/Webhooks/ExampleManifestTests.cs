using System.Text.Json.Nodes;
using Arkonis.Admission.Tests.Support;

namespace Arkonis.Admission.Tests.Webhooks;

/// <summary>
/// Every manifest under deploy/examples goes through the webhooks as kube-apiserver sends it: mutate, apply the
/// patch, validate. Valid ones are admitted and end up defaulted; invalid ones fail with exactly the kubectl
/// output their <c># expect:</c> lines promise.
/// </summary>
public sealed class ExampleManifestTests(AdmissionApp app) : IClassFixture<AdmissionApp>
{
    private readonly AdmissionClient _client = new(app.CreateClient());

    public static TheoryData<string> ValidExamples => new(Directory.GetFiles(Repo.DeployPath("examples"), "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    public static TheoryData<string> InvalidExamples => new(Directory.GetFiles(Repo.DeployPath("examples", "invalid"), "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Fact]
    public void There_are_the_three_seed_examples_and_invalid_ones()
    {
        Assert.Equal(["cron.yaml", "flow-output.yaml", "webhook.yaml"], ValidExamples.Cast<object[]>().Select(r => (string)r[0]));
        Assert.True(InvalidExamples.Count >= 8);
    }

    [Theory]
    [MemberData(nameof(ValidExamples))]
    public async Task Valid_example_is_defaulted_admitted_and_stable(string file)
    {
        var manifest = ApiServer.AsStored(Repo.LoadOne(Repo.DeployPath("examples", file)));

        var raw = await _client.ValidateAsync(ApiServer.Review("CREATE", manifest));
        Assert.True(raw["allowed"]!.GetValue<bool>(), raw.ToJsonString());

        var mutated = await _client.MutateAsync(ApiServer.Review("CREATE", manifest));
        var patch = AdmissionClient.Patch(mutated);
        Assert.NotNull(patch);
        Assert.All(patch, op => Assert.StartsWith("/spec/", op!["path"]!.GetValue<string>(), StringComparison.Ordinal));
        var defaulted = AdmissionClient.Apply(manifest, patch);
        Assert.Equal(manifest["spec"]!["concurrencyPolicy"]?.GetValue<string>() ?? "Allow", defaulted["spec"]!["concurrencyPolicy"]!.GetValue<string>());
        foreach (var (key, value) in manifest["spec"]!.AsObject())
        {
            Assert.True(JsonNode.DeepEquals(value, defaulted["spec"]![key]), $"spec.{key} set by the user was changed");
        }

        Assert.True(JsonNode.DeepEquals(manifest["metadata"], defaulted["metadata"]), "metadata must not be touched");

        var validated = await _client.ValidateAsync(ApiServer.Review("CREATE", defaulted));
        Assert.True(validated["allowed"]!.GetValue<bool>(), validated.ToJsonString());
        Assert.Equal(string.Empty, Kubectl.Render(validated, file));

        var again = await _client.MutateAsync(ApiServer.Review("CREATE", defaulted));
        Assert.Null(AdmissionClient.Patch(again));
    }

    [Theory]
    [MemberData(nameof(InvalidExamples))]
    public async Task Invalid_example_fails_with_the_promised_kubectl_output(string file)
    {
        var path = Repo.DeployPath("examples", "invalid", file);
        var expected = Repo.Expectations(path);
        Assert.NotEmpty(expected);
        var manifest = ApiServer.AsStored(Repo.LoadOne(path));

        var mutated = await _client.MutateAsync(ApiServer.Review("CREATE", manifest));
        var patch = AdmissionClient.Patch(mutated);
        var admittedObject = patch is null ? manifest : AdmissionClient.Apply(manifest, patch);
        var validated = await _client.ValidateAsync(ApiServer.Review("CREATE", admittedObject));

        Assert.False(validated["allowed"]!.GetValue<bool>());
        var status = validated["status"]!;
        Assert.Equal(422, status["code"]!.GetValue<int>());
        Assert.Equal("Invalid", status["reason"]!.GetValue<string>());
        Assert.Equal("arkonis.dev", status["details"]!["group"]!.GetValue<string>());
        Assert.Equal("ArkEvent", status["details"]!["kind"]!.GetValue<string>());
        Assert.Equal(manifest["metadata"]!["name"]!.GetValue<string>(), status["details"]!["name"]!.GetValue<string>());

        var printed = Kubectl.Render(validated, file).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToList();
        if (Environment.GetEnvironmentVariable("ARKEVENT_UPDATE_EXPECTATIONS") == "1")
        {
            // Golden update mode, for when the model's wording changes on purpose; review the diff in git.
            Repo.RewriteExpectations(path, printed);
            expected = printed;
        }

        Assert.Equal(expected, printed);
    }
}
