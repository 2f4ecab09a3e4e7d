namespace Arkonis.Cli.Connections;

/// <summary>
/// The labels and annotations the dispatcher writes and reads in a cluster (its own list is
/// <c>src/Dispatcher/Kubernetes/ArkonisNames.cs</c>, internal to it; a test keeps the two equal).
/// </summary>
internal static class ClusterNames
{
    public const string ArkFlows = "arkflows";
    public const string EventLabel = "arkonis.dev/event";
    public const string PipelineLabel = "arkonis.dev/pipeline";
    public const string RunIdAnnotation = "arkonis.dev/run-id";
    public const string RotateTokenAnnotation = "arkonis.dev/rotate-token";
    public const string RotatedForAnnotation = "arkonis.dev/rotated-for";

    /// <summary>The dispatcher's default for <c>Dispatcher:Kubernetes:TokenRotationGrace</c>.</summary>
    public static readonly TimeSpan DefaultRotationGrace = TimeSpan.FromMinutes(10);
}
