using FluentValidation;

namespace Arkonis.Dispatcher.Triggers.Cron;

/// <summary>Settings of the cron trigger (section <c>Triggers:Cron</c>).</summary>
public sealed record CronTriggerOptions
{
    public const string Section = "Triggers:Cron";

    /// <summary>The Dapr input binding that ticks the clock; daprd POSTs <c>/{BindingName}</c> on every tick.</summary>
    public string BindingName { get; init; } = "arkevent-cron";

    /// <summary>How late an occurrence may still start when the event sets no <c>startingDeadlineSeconds</c>.</summary>
    public TimeSpan DefaultStartingDeadline { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How many runs one tick starts at once.</summary>
    public int LaunchParallelism { get; init; } = 16;

    /// <summary>The Dapr state store that keeps what was already evaluated, across restarts and replicas.</summary>
    public string StateStore { get; init; } = "arkevent-state";

    /// <summary>How often at most the (large) list of known schedules is written to the state store.</summary>
    public TimeSpan ScheduleSaveInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>At most this many missed occurrences per event and tick are counted one by one.</summary>
    public int MaxCountedMissed { get; init; } = 1000;

}

public sealed class CronTriggerOptionsValidator : AbstractValidator<CronTriggerOptions>
{
    public CronTriggerOptionsValidator()
    {
        RuleFor(o => o.BindingName).NotEmpty().WithMessage("must be set");
        RuleFor(o => o.DefaultStartingDeadline).GreaterThanOrEqualTo(TimeSpan.FromSeconds(10)).WithMessage("must be at least 10s (one tick plus slack)");
        RuleFor(o => o.LaunchParallelism).GreaterThanOrEqualTo(1).WithMessage("must be at least 1");
        RuleFor(o => o.StateStore).NotEmpty().WithMessage("must be set");
        RuleFor(o => o.MaxCountedMissed).GreaterThanOrEqualTo(1).WithMessage("must be at least 1");
    }
}
