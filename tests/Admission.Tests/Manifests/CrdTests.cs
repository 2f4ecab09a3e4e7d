using System.Text.Json.Nodes;
using Arkonis.Admission.Tests.Support;
using Arkonis.Crd;

namespace Arkonis.Admission.Tests.Manifests;

/// <summary>
/// deploy/crd as kube-apiserver installs it (src/Crd/CrdChecker, rules read from
/// <c>staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go</c> and
/// <c>pkg/apiserver/schema/validation.go</c>), and ArkEvents as its registry treats them.
/// </summary>
public sealed class CrdTests
{
    private static readonly string CrdFile = Repo.DeployPath("crd", "arkevents.arkonis.dev.yaml");

    private static JsonObject Crd() => Yaml.LoadFile(CrdFile).Single();

    private static JsonObject Root(JsonObject crd) => crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();

    private static JsonObject At(JsonObject crd, params string[] properties) =>
        properties.Aggregate(Root(crd), (node, p) => node["properties"]![p]!.AsObject());

    [Fact]
    public void The_crd_is_accepted()
    {
        Assert.Empty(CrdChecker.ValidateDefinition(Crd()));
        var checker = CrdChecker.Install(Repo.DeployPath("crd"));
        Assert.Equal("arkonis.dev/v1alpha1", checker.ApiVersion);
        Assert.Equal("arkevents", checker.Plural);
    }

    [Fact]
    public void The_rule_that_made_the_api_server_refuse_the_crd_is_refused_here()
    {
        // The shape deploy/crd had: a root rule with reason FieldValueTooLong pointing at .metadata.name, metadata undeclared.
        var crd = Crd();
        At(crd, "metadata").Remove("properties");
        Root(crd)["x-kubernetes-validations"] = new JsonArray(new JsonObject
        {
            ["rule"] = "!has(self.metadata.name) || size(self.metadata.name) <= 63",
            ["message"] = "must be no more than 63 characters",
            ["fieldPath"] = ".metadata.name",
            ["reason"] = "FieldValueTooLong",
        });

        var errors = CrdChecker.ValidateDefinition(crd).Select(e => e.ToString()).ToList();

        const string At0 = "spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[0]";
        Assert.Equal(
        [
            $"{At0}.reason: Unsupported value: \"FieldValueTooLong\": supported values: \"FieldValueDuplicate\", \"FieldValueForbidden\", \"FieldValueInvalid\", \"FieldValueRequired\"",
            $"{At0}.fieldPath: Invalid value: \".metadata.name\": fieldPath must be a valid path",
        ], errors);
        Assert.Throws<CrdRefusedException>(() => CrdChecker.Install(crd));
    }

    [Fact]
    public void Root_metadata_may_restrict_only_name_and_generate_name()
    {
        var crd = Crd();
        At(crd, "metadata")["properties"]!["labels"] = new JsonObject { ["type"] = "object" };

        var error = Assert.Single(CrdChecker.ValidateDefinition(crd));
        Assert.Equal("spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified", error.ToString());
    }

    [Fact]
    public void A_list_map_key_must_be_required_or_defaulted()
    {
        var crd = Crd();
        At(crd, "spec", "targets")["items"]!["required"] = new JsonArray();

        var error = Assert.Single(CrdChecker.ValidateDefinition(crd));
        Assert.Equal("spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[targets].items.properties[pipeline].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property", error.ToString());
    }

    [Fact]
    public void A_default_must_be_valid_under_its_schema_and_every_node_typed()
    {
        var crd = Crd();
        At(crd, "spec", "concurrencyPolicy")["default"] = "Sometimes";
        At(crd, "spec", "suspend").Remove("type");

        var errors = CrdChecker.ValidateDefinition(crd).Select(e => e.Field).ToList();
        Assert.Equal(
        [
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[concurrencyPolicy].default",
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[suspend].type",
        ], errors);
    }

    [Fact]
    public void A_rule_that_does_not_compile_is_refused()
    {
        var crd = Crd();
        At(crd, "spec")["x-kubernetes-validations"]![0]!["rule"] = "self.targets.all(t, ";

        var error = Assert.Single(CrdChecker.ValidateDefinition(crd));
        Assert.Equal("spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule", error.Field);
        Assert.StartsWith("Invalid value: compilation failed:", error.Body(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_rule_names_a_supported_reason_and_a_field_path_that_resolves()
    {
        var rules = new List<(JsonObject Node, JsonObject Rule)>();
        void Walk(JsonObject node)
        {
            rules.AddRange((node["x-kubernetes-validations"] as JsonArray ?? []).Select(r => (node, r!.AsObject())));
            foreach (var (_, child) in node["properties"] as JsonObject ?? [])
            {
                Walk(child!.AsObject());
            }
            foreach (var key in new[] { "items", "additionalProperties" })
            {
                if (node[key] is JsonObject sub)
                {
                    Walk(sub);
                }
            }
        }
        Walk(Root(Crd()));

        Assert.NotEmpty(rules);
        Assert.All(rules, r =>
        {
            Assert.Contains((string?)r.Rule["reason"] ?? "FieldValueInvalid", new[] { "FieldValueRequired", "FieldValueForbidden", "FieldValueInvalid", "FieldValueDuplicate" });
            if ((string?)r.Rule["fieldPath"] is { } fieldPath)
            {
                Assert.NotNull(CrdChecker.ResolveFieldPathForTests(r.Node, fieldPath));
            }
        });
    }

    [Fact]
    public void Objects_are_defaulted_and_pruned_before_validation()
    {
        var checker = CrdChecker.Install(Repo.DeployPath("crd"));
        var obj = Repo.LoadOne(Repo.DeployPath("examples", "webhook.yaml"));
        obj["spec"]!["color"] = "blue";
        obj["status"] = new JsonObject { ["firedCount"] = 3 };

        var verdict = checker.Create(obj);

        Assert.True(verdict.Allowed, string.Join("\n", verdict.Errors));
        Assert.Equal(["spec.color"], verdict.Pruned);
        var spec = verdict.Object["spec"]!;
        Assert.Equal("Allow", (string?)spec["concurrencyPolicy"]);
        Assert.False((bool)spec["suspend"]!);
        Assert.Equal(3, (long)spec["successfulRunsHistoryLimit"]!);
        Assert.Equal(1, (long)spec["failedRunsHistoryLimit"]!);
        Assert.Null(verdict.Object["status"]); // the status subresource: create ignores status
    }

    [Fact]
    public void A_name_longer_than_a_label_is_too_long_and_the_rules_are_not_run()
    {
        var checker = CrdChecker.Install(Repo.DeployPath("crd"));
        var obj = Repo.LoadOne(Repo.DeployPath("examples", "webhook.yaml"));
        obj["metadata"]!["name"] = new string('a', 64);
        obj["spec"]!["source"]!["cron"] = "0 8 * * *"; // a CEL failure that a blocking error hides

        var verdict = checker.Create(obj);

        Assert.Equal(
        [
            "metadata.name: Too long: may not be longer than 63",
            $"<nil>: Invalid value: \"null\": {CrdChecker.RulesNotChecked}",
        ], verdict.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void The_status_schema_refuses_what_the_operator_must_not_write()
    {
        var checker = CrdChecker.Install(Repo.DeployPath("crd"));
        var obj = Repo.LoadOne(Repo.DeployPath("examples", "webhook.yaml"));
        obj["status"] = new JsonObject { ["nextFireAt"] = "tomorrow", ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "Maybe" }) };

        var verdict = checker.Validate(obj, old: obj); // a write to /status

        Assert.Contains("status.nextFireAt: Invalid value: \"tomorrow\": status.nextFireAt in body must be of type date-time: \"tomorrow\"", verdict.Errors.Select(e => e.ToString()));
        Assert.Contains("status.conditions[0].status: Unsupported value: \"Maybe\": supported values: \"True\", \"False\", \"Unknown\"", verdict.Errors.Select(e => e.ToString()));
        Assert.Contains("status.conditions[0].reason: Required value", verdict.Errors.Select(e => e.ToString()));
    }
}
