using Arkonis.Model.Resources;

namespace Arkonis.Cli.Connections;

/// <summary>
/// Where the CLI finds ArkEvents and their tokens and which dispatcher it calls: a cluster through the user's
/// kubeconfig (<see cref="ClusterConnection"/>) or a local or embedded dispatcher with a local secrets file
/// (<see cref="LocalConnection"/>). Failures the user can act on are <see cref="CliException"/>s.
/// </summary>
internal interface IConnection
{
    /// <summary>The namespace used when <c>-n</c> is not given.</summary>
    string DefaultNamespace { get; }

    /// <summary>True when ArkEvent objects (spec and status) can be read: in a cluster, not in local mode.</summary>
    bool CanReadEvents { get; }

    /// <summary>The ArkEvent, or a <see cref="CliException"/> saying it does not exist.</summary>
    Task<ArkEvent> GetEventAsync(string ns, string name, CancellationToken cancellationToken);

    /// <summary>The current bearer token of a webhook event.</summary>
    Task<string> GetTokenAsync(string ns, string name, CancellationToken cancellationToken);

    /// <summary>The dispatcher's base URL (scheme, host, port) for this event.</summary>
    Task<Uri> GetDispatcherAsync(string ns, string name, CancellationToken cancellationToken);

    /// <summary>Sets the rotate-token annotation to <paramref name="value"/>.</summary>
    Task RequestRotationAsync(string ns, string name, string value, CancellationToken cancellationToken);

    /// <summary>The per-target flow runs the dispatcher created for the event, newest first (empty in local mode).</summary>
    Task<IReadOnlyList<FlowRunRecord>> ListFlowRunsAsync(string ns, string name, CancellationToken cancellationToken);
}

/// <summary>One ArkFlow the dispatcher created: one target of one run.</summary>
internal sealed record FlowRunRecord(string RunId, string Pipeline, string FlowName, string? Phase, DateTimeOffset? Created, DateTimeOffset? Completed);
