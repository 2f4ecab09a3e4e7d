using FluentValidation;

namespace Arkonis.Dispatcher.Hosting;

/// <summary>The listening ports: the public trigger API, the app port Dapr calls back on, and the read-only dashboard.</summary>
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

    /// <summary>The read-only dashboard page and its JSON; nothing else answers there.</summary>
    public int Dashboard { get; init; } = 8095;

    /// <summary>Bind the dashboard to loopback only (default): reach it with <c>kubectl port-forward</c> in a cluster.</summary>
    public bool DashboardLoopbackOnly { get; init; } = true;
}

public sealed class PortsOptionsValidator : AbstractValidator<PortsOptions>
{
    public PortsOptionsValidator()
    {
        RuleFor(o => o.Public).InclusiveBetween(1, 65535).WithMessage("must be 1..65535");
        RuleFor(o => o.Callback).InclusiveBetween(1, 65535).WithMessage("must be 1..65535");
        RuleFor(o => o.Callback).NotEqual(o => o.Public).WithMessage("must differ from Ports:Public");
        RuleFor(o => o.Dashboard).InclusiveBetween(1, 65535).WithMessage("must be 1..65535");
        RuleFor(o => o.Dashboard).Must((o, port) => port != o.Public && port != o.Callback).WithMessage("must differ from Ports:Public and Ports:Callback");
    }
}
