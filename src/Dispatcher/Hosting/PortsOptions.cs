using FluentValidation;

namespace Arkonis.Dispatcher.Hosting;

/// <summary>The two listening ports: the public trigger API, and the app port Dapr calls back on.</summary>
public sealed record PortsOptions
{
    public const string SectionName = "Ports";

    /// <summary>Public trigger API, health and metrics.</summary>
    public int Public { get; init; } = 8092;

    /// <summary>Dapr callbacks (pub/sub, bindings); never reachable through <see cref="Public"/>.</summary>
    public int Callback { get; init; } = 8093;

    /// <summary>
    /// Bind the callback port to loopback only (default). daprd calls its app on 127.0.0.1 (its default app channel
    /// address), so the callbacks need not be on the pod network at all; set false only when daprd's
    /// <c>app-channel-address</c> is not loopback.
    /// </summary>
    public bool CallbackLoopbackOnly { get; init; } = true;
}

public sealed class PortsOptionsValidator : AbstractValidator<PortsOptions>
{
    public PortsOptionsValidator()
    {
        RuleFor(o => o.Public).InclusiveBetween(1, 65535).WithMessage("must be 1..65535");
        RuleFor(o => o.Callback).InclusiveBetween(1, 65535).WithMessage("must be 1..65535");
        RuleFor(o => o.Callback).NotEqual(o => o.Public).WithMessage("must differ from Ports:Public");
    }
}
