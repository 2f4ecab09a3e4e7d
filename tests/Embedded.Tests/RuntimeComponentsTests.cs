using System.Text.RegularExpressions;
using Arkonis.Embedded.Runtime;

namespace Arkonis.Embedded.Tests;

/// <summary>The embedded runtime serves the components of <c>components/</c> under their names and types.</summary>
public sealed partial class RuntimeComponentsTests
{
    private static Dictionary<string, (string Type, string File)> Components() =>
        Directory.EnumerateFiles(Path.Combine(Repo.Root, "components"), "*.yaml")
            .Select(file => (File: file, Text: File.ReadAllText(file)))
            .Where(c => c.Text.Contains("kind: Component", StringComparison.Ordinal))
            .ToDictionary(c => Name().Match(c.Text).Groups[1].Value, c => (Type().Match(c.Text).Groups[1].Value, c.File));

    [Fact]
    public void Each_component_the_runtime_serves_is_named_and_typed_as_in_components()
    {
        var components = Components();
        var served = new RuntimeComponents();

        Assert.Equal("secretstores.local.file", components[served.SecretStore].Type);
        Assert.Equal("pubsub.in-memory", components[served.PubSub].Type);
        Assert.Equal("state.in-memory", components[served.StateStore].Type);
        Assert.Equal("bindings.cron", components[served.CronBinding].Type);
        Assert.Equal(4, components.Count);
    }

    [Fact]
    public void The_cron_binding_ticks_as_often_as_its_component_says()
    {
        var cron = File.ReadAllText(Components()[new RuntimeComponents().CronBinding].File);

        Assert.Matches(@"name: schedule\s+value: ""@every 1s""", cron);
        Assert.Equal(TimeSpan.FromSeconds(1), new RuntimeComponents().CronInterval);
    }

    [Fact]
    public void The_secrets_file_gives_each_sample_webhook_its_token()
    {
        var secrets = LocalSecretsFile.Read(Path.Combine(Repo.Root, "components", "secrets.json"));

        Assert.Equal("dev-token-pipeline-trigger", secrets["pipeline-trigger-webhook-token"]["token"]);
    }

    [Fact]
    public void Nested_secret_values_are_joined_with_a_colon_and_a_file_that_is_no_object_is_refused()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{"a": {"token": "t", "deep": {"x": 1}}, "b": "plain"}""");
            var secrets = LocalSecretsFile.Read(file);
            Assert.Equal("t", secrets["a"]["token"]);
            Assert.Equal("1", secrets["a"]["deep:x"]);
            Assert.Equal("plain", secrets["b"]["b"]);

            File.WriteAllText(file, "[1, 2]");
            Assert.Contains(file, Assert.Throws<InvalidDataException>(() => LocalSecretsFile.Read(file)).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [GeneratedRegex(@"metadata:\s*\n\s+name:\s*(\S+)")]
    private static partial Regex Name();

    [GeneratedRegex(@"\n\s+type:\s*(\S+)")]
    private static partial Regex Type();
}
