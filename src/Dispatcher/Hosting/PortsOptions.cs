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
}
