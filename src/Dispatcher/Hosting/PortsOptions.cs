using System.ComponentModel.DataAnnotations;

namespace Arkonis.Dispatcher.Hosting;

/// <summary>The two listening ports: the public trigger API, and the app port Dapr calls back on.</summary>
public sealed record PortsOptions
{
    public const string SectionName = "Ports";

    /// <summary>Public trigger API, health and metrics.</summary>
    [Range(1, 65535)]
    public int Public { get; init; } = 8092;

    /// <summary>Dapr callbacks (pub/sub, bindings); never reachable through <see cref="Public"/>.</summary>
    [Range(1, 65535)]
    public int Callback { get; init; } = 8093;

    /// <summary>
    /// Bind the callback port to loopback only (default). daprd calls its app on 127.0.0.1 (its default app channel
    /// address), so the callbacks need not be on the pod network at all; set false only when daprd's
    /// <c>app-channel-address</c> is not loopback.
    /// </summary>
    public bool CallbackLoopbackOnly { get; init; } = true;
}
