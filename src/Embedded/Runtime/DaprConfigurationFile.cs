using System.Globalization;
using System.Text.RegularExpressions;
using DurableTask.Core;
using YamlDotNet.RepresentationModel;

namespace Arkonis.Embedded.Runtime;

/// <summary>
/// How long finished workflows are kept: a Configuration's <c>spec.workflow.stateRetentionPolicy</c> (dapr/dapr
/// <c>pkg/config/configuration.go</c>, <c>WorkflowStateRetentionPolicy</c>). Each period is optional; a status's own
/// period wins over <see cref="AnyTerminal"/>, and a status with neither is kept (dapr/dapr
/// <c>pkg/actors/targets/workflow/orchestrator</c>, <c>handleRetention</c>).
/// </summary>
public sealed record WorkflowRetentionPolicy(
    TimeSpan? AnyTerminal = null, TimeSpan? Completed = null, TimeSpan? Failed = null, TimeSpan? Terminated = null)
{
    /// <summary>How long after ending with <paramref name="status"/> a workflow is purged; null keeps it.</summary>
    public TimeSpan? After(OrchestrationStatus status) => status switch
    {
        OrchestrationStatus.Completed when Completed is { } completed => completed,
        OrchestrationStatus.Terminated when Terminated is { } terminated => terminated,
        OrchestrationStatus.Failed when Failed is { } failed => failed,
        _ => AnyTerminal,
    };
}

/// <summary>
/// The Dapr Configuration file <c>dapr run</c> gives daprd (<c>components/configuration.yaml</c>, dapr.yaml's
/// <c>configFilePath</c>); the embedded runtime reads what it applies of it: the workflow state retention.
/// </summary>
public static partial class DaprConfigurationFile
{
    /// <summary>
    /// The file's <c>spec.workflow.stateRetentionPolicy</c>; null when the file or the policy is missing, so finished
    /// workflows are kept, as daprd keeps them without one. Durations are Go duration strings (<c>168h</c>, <c>30m</c>,
    /// <c>1h30m</c>, <c>0s</c>).
    /// </summary>
    public static WorkflowRetentionPolicy? ReadRetention(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        var stream = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            stream.Load(reader);
        }
        if (stream.Documents.FirstOrDefault()?.RootNode is not YamlMappingNode root
            || Child(Child(Child(root, "spec"), "workflow"), "stateRetentionPolicy") is not { } policy)
        {
            return null;
        }
        return new WorkflowRetentionPolicy(
            Duration(policy, "anyTerminal", path), Duration(policy, "completed", path),
            Duration(policy, "failed", path), Duration(policy, "terminated", path));
    }

    /// <summary>A Go duration string (Go <c>time.ParseDuration</c>): decimal numbers with units ns, us, ms, s, m, h.</summary>
    public static TimeSpan ParseGoDuration(string text)
    {
        // Go accepts a bare 0; every other number needs its unit.
        if (text.Trim() == "0")
        {
            return TimeSpan.Zero;
        }
        var match = GoDuration().Match(text.Trim());
        if (!match.Success)
        {
            throw new FormatException($"\"{text}\" is not a duration (examples: 168h, 30m, 1h30m, 0s).");
        }
        var ticks = 0.0;
        for (var i = 0; i < match.Groups["number"].Captures.Count; i++)
        {
            var number = double.Parse(match.Groups["number"].Captures[i].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            ticks += number * match.Groups["unit"].Captures[i].Value switch
            {
                "ns" => TimeSpan.TicksPerMicrosecond / 1000.0,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
        }
        return TimeSpan.FromTicks((long)Math.Round(match.Groups["sign"].Value == "-" ? -ticks : ticks));
    }

    [GeneratedRegex(@"^(?<sign>[-+]?)(?:(?<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?<unit>ns|us|µs|μs|ms|s|m|h))+$")]
    private static partial Regex GoDuration();

    private static YamlMappingNode? Child(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child as YamlMappingNode : null;

    private static TimeSpan? Duration(YamlMappingNode policy, string key, string path)
    {
        if (!policy.Children.TryGetValue(new YamlScalarNode(key), out var node) || node is not YamlScalarNode { Value: { Length: > 0 } text })
        {
            return null;
        }
        try
        {
            return ParseGoDuration(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{path}: spec.workflow.stateRetentionPolicy.{key}: {e.Message}", e);
        }
    }
}
