using FluentValidation;

namespace Arkonis.Dispatcher.Hosting;

/// <summary>How the dispatcher talks to its Dapr sidecar (section <c>Sidecar</c>).</summary>
public sealed record SidecarOptions
{
    public const string SectionName = "Sidecar";

    /// <summary>
    /// Deadline of one call to the sidecar (workflow state, scheduling, events, secrets, state store). Dapr's clients
    /// wait for a connection forever, so every call gets this one: a trigger API caller then gets a 503, a cron tick
    /// moves on, a completion is redelivered.
    /// </summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(1.5);
}

public sealed class SidecarOptionsValidator : AbstractValidator<SidecarOptions>
{
    public SidecarOptionsValidator() => RuleFor(o => o.CallTimeout).GreaterThan(TimeSpan.Zero).WithMessage("must be positive");
}
