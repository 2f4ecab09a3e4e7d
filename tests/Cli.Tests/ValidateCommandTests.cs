using System.Text.Json.Nodes;
using Arkonis.Cli.Manifests;
using Arkonis.Cli.Tests.Support;

namespace Arkonis.Cli.Tests;

/// <summary>
/// <c>arkevent validate</c> against the repository's examples: every valid one passes, every invalid one fails with
/// the lines its <c># expect:</c> comments promise, in kube-apiserver's order (the CRD schema and CEL rules, then the
/// validating webhook). The first line of each file says which stage refuses it. A webhook refusal is compared
/// whole; a schema refusal by its first line and then as a set, because the API server reports sibling errors in Go
/// map order (the admission tests compare the same lines against the CRD checker and the webhook, the same way).
/// </summary>
public sealed class ValidateCommandTests
{
    public static TheoryData<string> ValidExamples => new(Directory.GetFiles(Repo.Path("deploy", "examples"), "*.yaml").Order(StringComparer.Ordinal));

    public static TheoryData<string> InvalidExamples => new(Directory.GetFiles(Repo.Path("deploy", "examples", "invalid"), "*.yaml").Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(ValidExamples))]
    public async Task A_valid_example_passes(string file)
    {
        var result = await CliRun.RunAsync("validate", file);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(" is valid", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InvalidExamples))]
    public async Task An_invalid_example_fails_with_what_kubectl_prints(string file)
    {
        var result = await CliRun.RunAsync("validate", file);

        Assert.True(result.ExitCode == 1, result.ToString());
        var printed = result.OutLines.Where(l => !l.StartsWith("Warning:", StringComparison.Ordinal)).ToList();
        var expected = Repo.Expectations(file);
        Assert.NotEmpty(expected);
        Assert.Equal(file + ":", printed[0]);
        if (RefusedBySchema(file))
        {
            Assert.Equal(expected[0], printed[1]);
            Assert.Equal(expected.Order(StringComparer.Ordinal), printed.Skip(1).Order(StringComparer.Ordinal));
        }
        else
        {
            Assert.Equal([file + ":", .. expected], printed);
        }
    }

    [Theory]
    [MemberData(nameof(InvalidExamples))]
    public async Task Json_output_carries_the_webhook_message_and_causes(string file)
    {
        var result = await CliRun.RunAsync("validate", "-o", "json", file);

        Assert.Equal(1, result.ExitCode);
        var json = result.Json;
        Assert.False(json["valid"]!.GetValue<bool>());
        var document = json["files"]![0]!["documents"]![0]!;
        var name = document["name"]!.GetValue<string>();
        Assert.StartsWith($"ArkEvent.arkonis.dev \"{name}\" is invalid: ", document["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.All(document["causes"]!.AsArray(), c => Assert.StartsWith("FieldValue", c!["reason"]!.GetValue<string>(), StringComparison.Ordinal));
        var causes = document["causes"]!.AsArray().Select(c => $"{c!["field"]}: {c["message"]}").Distinct().ToList();
        var expected = Repo.Expectations(file);
        Assert.Equal(expected.Count == 1 ? 1 : expected.Count - 1, causes.Count);

        // The causes are the lines kubectl prints after "The ArkEvent "x" is invalid", in order when the webhook answers.
        var head = $"The ArkEvent \"{name}\" is invalid";
        List<string> promised = expected.Count == 1 ? [expected[0][(head.Length + 2)..]] : [.. expected.Skip(1).Select(l => l[2..])];
        if (RefusedBySchema(file))
        {
            Assert.Equal(promised.Order(StringComparer.Ordinal), causes.Order(StringComparer.Ordinal));
        }
        else
        {
            Assert.Equal(promised, causes);
        }
    }

    [Fact]
    public void The_examples_say_which_stage_refuses_them_and_the_schema_refuses_some()
    {
        var files = InvalidExamples.Cast<object[]>().Select(r => (string)r[0]).ToList();

        Assert.All(files, f => Assert.True(
            RefusedBySchema(f) || File.ReadLines(f).First().Contains("refused by the validating webhook", StringComparison.Ordinal),
            $"{f}: the first line names no stage"));
        Assert.Contains(files, RefusedBySchema);
        Assert.Contains(files, f => !RefusedBySchema(f));
    }

    [Fact]
    public async Task The_schema_refusal_prints_the_rules_not_checked_line_kubectl_prints()
    {
        var file = Repo.Path("deploy", "examples", "invalid", "unknown-type.yaml");

        var result = await CliRun.RunAsync("validate", "-o", "json", file);

        var causes = result.Json["files"]![0]!["documents"]![0]!["causes"]!.AsArray();
        var nil = Assert.Single(causes, c => c!["field"]!.GetValue<string>() == "<nil>");
        Assert.Equal("FieldValueInvalid", nil!["reason"]!.GetValue<string>());
        Assert.Equal("Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation", nil["message"]!.GetValue<string>());
    }

    [Fact]
    public void The_CRD_built_into_the_tool_is_deploy_crd()
    {
        Assert.Equal(File.ReadAllText(Repo.Path("deploy", "crd", CrdSource.EmbeddedName)), CrdSource.EmbeddedText());
    }

    [Fact]
    public void The_CRD_is_the_repository_one_inside_a_checkout_and_the_built_in_one_outside()
    {
        Assert.Equal(Repo.Path("deploy", "crd"), CrdSource.RepositoryCrd(Repo.Path("deploy", "examples", "invalid")));
        var outside = Directory.CreateTempSubdirectory("arkevent-validate-").FullName;
        Assert.Null(CrdSource.RepositoryCrd(outside));

        var builtIn = CrdSource.Load(null, outside);
        var manifest = Arkonis.Crd.Yaml.LoadFile(Repo.Path("deploy", "examples", "invalid", "cron-without-schedule.yaml")).Single();
        Assert.Equal("arkonis.dev/v1alpha1", builtIn.ApiVersion);
        Assert.False(builtIn.Create(builtIn.Decode(manifest)).Allowed);
    }

    [Fact]
    public async Task The_crd_option_names_the_CRD()
    {
        var file = Repo.Path("deploy", "examples", "invalid", "cron-without-schedule.yaml");

        var given = await CliRun.RunAsync("validate", "--crd", Repo.Path("deploy", "crd", CrdSource.EmbeddedName), file);
        var missing = await CliRun.RunAsync("validate", "--crd", "/no/such/crd.yaml", file);

        Assert.Equal([file + ":", .. Repo.Expectations(file)], given.OutLines);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("/no/such/crd.yaml", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_CRD_without_the_cron_rule_lets_the_webhook_answer()
    {
        // The stage matters: with a CRD that has no CEL rules, the same manifest reaches the validating webhook.
        var crd = Arkonis.Crd.Yaml.LoadFile(Repo.Path("deploy", "crd", CrdSource.EmbeddedName)).Single();
        StripRules(crd);
        var path = Path.Combine(Directory.CreateTempSubdirectory("arkevent-crd-").FullName, "crd.json");
        File.WriteAllText(path, crd.ToJsonString());
        var file = Repo.Path("deploy", "examples", "invalid", "fires-its-own-flow.yaml");

        var result = await CliRun.RunAsync("validate", "-o", "json", "--crd", path, file);

        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("<nil>", result.Out, StringComparison.Ordinal);
        Assert.NotEmpty(result.Json["files"]![0]!["documents"]![0]!["causes"]!.AsArray());
    }

    [Fact]
    public async Task All_examples_at_once_fail_when_one_fails_and_json_lists_every_file()
    {
        var files = ValidExamples.Cast<object[]>().Select(r => (string)r[0]).Append(Repo.Path("deploy", "examples", "invalid", "bad-cron.yaml")).ToArray();

        var result = await CliRun.RunAsync(["validate", "-o", "json", .. files]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(files.Length, result.Json["files"]!.AsArray().Count);
        Assert.Equal(files.Length - 1, result.Json["files"]!.AsArray().Count(f => f!["valid"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Other_kinds_are_skipped_and_several_documents_are_checked()
    {
        var file = Temp("""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: unrelated
            ---
            apiVersion: arkonis.dev/v1alpha1
            kind: ArkEvent
            metadata:
              name: ok
            spec:
              source:
                type: webhook
              targets:
                - pipeline: my-flow
            ---
            apiVersion: arkonis.dev/v1alpha1
            kind: ArkEvent
            metadata:
              name: broken
            spec:
              source:
                type: cron
                cron: "0 25 * * *"
              targets:
                - pipeline: my-flow
            ---
            """);

        var result = await CliRun.RunAsync("validate", "-o", "json", file);

        Assert.Equal(1, result.ExitCode);
        var documents = result.Json["files"]![0]!["documents"]!.AsArray();
        Assert.Equal("v1 ConfigMap", documents[0]!["skipped"]!.GetValue<string>());
        Assert.True(documents[1]!["valid"]!.GetValue<bool>());
        Assert.False(documents[2]!["valid"]!.GetValue<bool>());
        Assert.Equal("spec.source.cron", documents[2]!["causes"]![0]!["field"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("spec: [unclosed", "not YAML")]
    [InlineData("apiVersion: arkonis.dev/v1alpha1\nkind: ArkEvent\nmetadata:\n  name: x\nspec:\n  targets: 12\n", "line")]
    public async Task An_unreadable_file_fails_with_a_reason(string yaml, string reason)
    {
        var result = await CliRun.RunAsync("validate", Temp(yaml));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(reason, result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hashed_cron_is_refused_as_invalid_and_the_rest_is_still_checked()
    {
        // "H" once made the model's cron parser throw; it is now refused like any invalid value, as in Kubernetes CronJobs.
        var hashed = Temp("""
            apiVersion: arkonis.dev/v1alpha1
            kind: ArkEvent
            metadata:
              name: hashed
            spec:
              source:
                type: cron
                cron: "H 8 * * *"
              targets:
                - pipeline: my-flow
            """);

        var result = await CliRun.RunAsync("validate", "-o", "json", hashed, Repo.Path("deploy", "examples", "webhook.yaml"));

        Assert.Equal(1, result.ExitCode);
        var files = result.Json["files"]!.AsArray();
        var document = files[0]!["documents"]![0]!;
        Assert.False(document["valid"]!.GetValue<bool>());
        Assert.Null(document["error"]);
        Assert.Equal("spec.source.cron", document["causes"]![0]!["field"]!.GetValue<string>());
        Assert.Contains("H (a hashed value) is not supported", document["causes"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(files[1]!["valid"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_missing_file_fails()
    {
        var result = await CliRun.RunAsync("validate", "-o", "json", "/no/such/file.yaml");

        Assert.Equal(1, result.ExitCode);
        Assert.False(result.Json["files"]![0]!["valid"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Without_a_file_it_is_a_usage_error()
    {
        var result = await CliRun.RunAsync("validate");

        Assert.Equal(2, result.ExitCode);
    }

    private static bool RefusedBySchema(string file) =>
        File.ReadLines(file).First().Contains("refused by the CRD schema, before any webhook", StringComparison.Ordinal);

    private static void StripRules(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            obj.Remove("x-kubernetes-validations");
            foreach (var (_, child) in obj.ToList())
            {
                StripRules(child);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                StripRules(item);
            }
        }
    }

    private static string Temp(string yaml)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("arkevent-validate-").FullName, "events.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
