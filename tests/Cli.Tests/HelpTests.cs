using Arkonis.Cli.Tests.Support;

namespace Arkonis.Cli.Tests;

/// <summary>Every command answers <c>--help</c>; the CLI's cluster names are the dispatcher's.</summary>
public sealed class HelpTests
{
    [Theory]
    [InlineData]
    [InlineData("fire")]
    [InlineData("runs")]
    [InlineData("run")]
    [InlineData("rotate-token")]
    [InlineData("next")]
    [InlineData("validate")]
    public async Task Every_command_has_help(params string[] command)
    {
        var result = await CliRun.RunAsync([.. command, "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Out, StringComparison.Ordinal);
        Assert.Contains("--output", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_is_a_usage_error()
    {
        var result = await CliRun.RunAsync("launch", "x");

        Assert.Equal(2, result.ExitCode);
    }

    [Theory]
    [InlineData("RotateTokenAnnotation", Connections.ClusterNames.RotateTokenAnnotation)]
    [InlineData("RotatedForAnnotation", Connections.ClusterNames.RotatedForAnnotation)]
    [InlineData("EventLabel", Connections.ClusterNames.EventLabel)]
    [InlineData("PipelineLabel", Connections.ClusterNames.PipelineLabel)]
    [InlineData("RunIdAnnotation", Connections.ClusterNames.RunIdAnnotation)]
    [InlineData("ArkFlows", Connections.ClusterNames.ArkFlows)]
    public void Cluster_names_match_the_dispatchers(string constant, string value)
    {
        // ArkonisNames is internal to the dispatcher; its source is the contract.
        var source = File.ReadAllText(Repo.Path("src", "Dispatcher", "Kubernetes", "ArkonisNames.cs"));

        Assert.Contains($"{constant} = \"{value}\";", source, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rotation_grace_default_matches_the_dispatchers()
    {
        var source = File.ReadAllText(Repo.Path("src", "Dispatcher", "Kubernetes", "KubernetesModeOptions.cs"));

        Assert.Contains($"TokenRotationGrace {{ get; init; }} = TimeSpan.FromMinutes({Connections.ClusterNames.DefaultRotationGrace.TotalMinutes});", source, StringComparison.Ordinal);
    }
}
