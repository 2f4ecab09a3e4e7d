using FluentValidation;

namespace Arkonis.Dispatcher.Runs;

/// <summary>How runs behave.</summary>
public sealed record RunOptions
{
    public const string SectionName = "Runs";

    /// <summary>How long a run waits for one target flow's completion before it marks the target TimedOut.</summary>
    public TimeSpan TargetTimeout { get; init; } = TimeSpan.FromHours(1);
}

public sealed class RunOptionsValidator : AbstractValidator<RunOptions>
{
    public RunOptionsValidator() => RuleFor(o => o.TargetTimeout).GreaterThan(TimeSpan.Zero).WithMessage("must be positive");
}
