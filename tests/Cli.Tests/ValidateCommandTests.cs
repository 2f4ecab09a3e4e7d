using System.Text.Json.Nodes;
using Arkonis.Cli.Tests.Support;

namespace Arkonis.Cli.Tests;

/// <summary>
/// <c>arkevent validate</c> against the repository's examples: every valid one passes, every invalid one fails with
/// the lines its <c># expect:</c> comments promise. Those lines are kubectl's rendering of the webhook's 422; all of
/// today's invalid examples are answered by the webhook (none is stopped earlier by the CRD schema), so the whole
/// text is compared, and the admission tests compare the same lines against the webhook itself.
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
        Assert.Equal([file + ":", .. Repo.Expectations(file)], result.OutLines.Where(l => !l.StartsWith("Warning:", StringComparison.Ordinal)));
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
        var causes = document["causes"]!.AsArray().Select(c => $"{c!["field"]}: {c["message"]}").Distinct().ToList();
        var expected = Repo.Expectations(file);
        Assert.Equal(expected.Count == 1 ? 1 : expected.Count - 1, causes.Count);
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
    public async Task A_document_the_validator_cannot_judge_fails_and_the_rest_is_still_checked()
    {
        // "H" makes the model's cron parser throw (a known bug); the CLI must not crash on it.
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
        Assert.Contains("the validator failed", files[0]!["documents"]![0]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
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

    private static string Temp(string yaml)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("arkevent-validate-").FullName, "events.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
