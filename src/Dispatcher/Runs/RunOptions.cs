using FluentValidation;

namespace Arkonis.Dispatcher.Runs;

/// <summary>How runs behave.</summary>
public sealed record RunOptions
{
    public const string SectionName = "Runs";

    /// <summary>How long a run waits for one target flow's completion before it marks the target TimedOut.</summary>
    public TimeSpan TargetTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long scheduling a run may take. daprd answers StartInstance only once the new workflow's first step has run
    /// (dapr/durabletask-go <c>backend/executor.go</c>), which a cold start or a worker reconnect (every 5 s) makes slow:
    /// this is longer than the general sidecar deadline. On timeout the instance is read, and if it exists the fire counts.
    /// </summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The Dapr state store that holds the runs' large payloads (<see cref="IRunPayloads"/>).</summary>
    public string StateStore { get; init; } = "arkevent-state";

    /// <summary>
    /// Payloads up to this size (UTF-8 JSON) travel inside the run's workflow history; larger ones are stored once in
    /// <see cref="StateStore"/> and the history carries a reference.
    /// </summary>
    public int InlinePayloadBytes { get; init; } = 16 * 1024;

    /// <summary>
    /// How long finished runs are kept: the workflow state retention of the Dapr Configuration
    /// (<c>spec.workflow.stateRetentionPolicy</c>, <c>components/configuration.yaml</c>) should say the same. Stored
    /// payloads expire after this plus <see cref="TargetTimeout"/>.
    /// </summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(7);
}

public sealed class RunOptionsValidator : AbstractValidator<RunOptions>
{
    public RunOptionsValidator()
    {
        RuleFor(o => o.TargetTimeout).GreaterThan(TimeSpan.Zero).WithMessage("must be positive");
        RuleFor(o => o.StartTimeout).GreaterThan(TimeSpan.Zero).WithMessage("must be positive");
        RuleFor(o => o.StateStore).NotEmpty().WithMessage("must be set");
        RuleFor(o => o.InlinePayloadBytes).InclusiveBetween(0, 256 * 1024).WithMessage("must be 0..262144");
        RuleFor(o => o.Retention).GreaterThan(TimeSpan.Zero).WithMessage("must be positive");
    }
}
