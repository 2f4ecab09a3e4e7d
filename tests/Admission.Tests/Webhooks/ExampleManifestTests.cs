using System.Text.Json.Nodes;
using Arkonis.Admission.Tests.Support;
using Arkonis.Crd;

namespace Arkonis.Admission.Tests.Webhooks;

/// <summary>
/// Every manifest under deploy/examples is created the way kube-apiserver creates a custom resource
/// (<c>staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go</c>, <c>pkg/registry/generic/registry/store.go</c>):
/// decode (schema defaults, pruning), the mutating webhook, decode again, the CRD schema and its CEL rules
/// (<c>BeforeCreate</c>, src/Crd/CrdChecker), and only then the validating webhook, which never sees
/// an object the schema refused. Valid ones are admitted and end up defaulted; invalid ones fail with exactly the
/// kubectl output their <c># expect:</c> lines promise, whichever stage refuses them.
/// </summary>
public sealed class ExampleManifestTests(AdmissionApp app) : IClassFixture<AdmissionApp>
{
    private static readonly CrdChecker Crd = CrdChecker.Install(Repo.DeployPath("crd"));

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
        var decoded = Crd.Decode(manifest);

        var mutated = await _client.MutateAsync(ApiServer.Review("CREATE", decoded));
        var patch = AdmissionClient.Patch(mutated);
        Assert.All(patch ?? [], op => Assert.StartsWith("/spec/", op!["path"]!.GetValue<string>(), StringComparison.Ordinal));
        var schema = Crd.Create(patch is null ? decoded : AdmissionClient.Apply(decoded, patch));
        Assert.True(schema.Allowed, string.Join("\n", schema.Errors));
        Assert.Empty(schema.Pruned);
        var defaulted = schema.Object;
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
    [MemberData(nameof(ValidExamples))]
    public async Task Valid_example_is_admitted_by_the_webhooks_even_without_the_schema_defaults(string file)
    {
        // A cluster that has not defaulted (or an older CRD): the webhooks alone still admit and default it.
        var manifest = ApiServer.AsStored(Repo.LoadOne(Repo.DeployPath("examples", file)));

        var mutated = await _client.MutateAsync(ApiServer.Review("CREATE", manifest));
        var patch = AdmissionClient.Patch(mutated);
        Assert.NotNull(patch);
        var defaulted = AdmissionClient.Apply(manifest, patch);
        Assert.True(Crd.Create(defaulted).Allowed);

        var validated = await _client.ValidateAsync(ApiServer.Review("CREATE", defaulted));
        Assert.True(validated["allowed"]!.GetValue<bool>(), validated.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(InvalidExamples))]
    public async Task Invalid_example_fails_with_the_promised_kubectl_output(string file)
    {
        var path = Repo.DeployPath("examples", "invalid", file);
        var expected = Repo.Expectations(path);
        Assert.NotEmpty(expected);
        var manifest = ApiServer.AsStored(Repo.LoadOne(path));
        var name = manifest["metadata"]!["name"]!.GetValue<string>();
        var decoded = Crd.Decode(manifest);

        var mutated = await _client.MutateAsync(ApiServer.Review("CREATE", decoded));
        var patch = AdmissionClient.Patch(mutated);
        var schema = Crd.Create(patch is null ? decoded : AdmissionClient.Apply(decoded, patch));
        JsonNode answer;
        bool orderFixed;
        if (!schema.Allowed)
        {
            // BeforeCreate refused it: the validating webhook is never called; kubectl prints the registry's Status.
            answer = new JsonObject { ["allowed"] = false, ["status"] = Crd.InvalidStatus(name, schema.Errors) };
            // The API server reports errors of sibling properties in Go map order (kube-openapi
            // pkg/validation/validate/object_validator.go ranges over a map), so only the set of lines is promised.
            orderFixed = false;
        }
        else
        {
            answer = await _client.ValidateAsync(ApiServer.Review("CREATE", schema.Object));
            orderFixed = true;
        }

        Assert.False(answer["allowed"]!.GetValue<bool>(), $"{file} was admitted by the schema and the webhook");
        var says = File.ReadLines(path).First();
        Assert.Contains(orderFixed ? "refused by the validating webhook" : "refused by the CRD schema, before any webhook", says, StringComparison.Ordinal);
        var status = answer["status"]!;
        Assert.Equal(422, status["code"]!.GetValue<int>());
        Assert.Equal("Invalid", status["reason"]!.GetValue<string>());
        Assert.Equal("arkonis.dev", status["details"]!["group"]!.GetValue<string>());
        Assert.Equal("ArkEvent", status["details"]!["kind"]!.GetValue<string>());
        Assert.Equal(name, status["details"]!["name"]!.GetValue<string>());

        var printed = Kubectl.Render(answer, file).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToList();
        if (Environment.GetEnvironmentVariable("ARKEVENT_UPDATE_EXPECTATIONS") == "1")
        {
            // Golden update mode, for when the wording changes on purpose; review the diff in git.
            Repo.RewriteExpectations(path, printed);
            expected = printed;
        }

        if (orderFixed)
        {
            Assert.Equal(expected, printed);
        }
        else
        {
            Assert.Equal(expected[0], printed[0]);
            Assert.Equal(expected.Order(StringComparer.Ordinal), printed.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Half_of_the_invalid_examples_are_refused_by_the_schema_before_any_webhook()
    {
        // Which stage answers is part of what the examples document: the CRD alone refuses these (a cluster whose
        // webhook is down still does), the validating webhook the rest.
        var bySchema = InvalidExamples.Cast<object[]>().Select(r => (string)r[0])
            .Where(f => !Crd.Create(Crd.Decode(ApiServer.AsStored(Repo.LoadOne(Repo.DeployPath("examples", "invalid", f))))).Allowed)
            .ToList();

        Assert.Equal(["cron-without-schedule.yaml", "duplicate-targets.yaml", "fires-its-own-flow.yaml", "no-targets.yaml", "unknown-type.yaml", "webhook-with-cron.yaml"], bySchema);
    }
}
