using FluentValidation;

namespace Arkonis.Dispatcher.Triggers.FlowOutput;

/// <summary>Settings of the flow-output trigger (section <c>Triggers:FlowOutput</c>).</summary>
public sealed record FlowOutputOptions
{
    public const string Section = "Triggers:FlowOutput";

    /// <summary>
    /// The longest chain of flow-output hops a run may be at (a webhook or cron run is at 0). Beyond it the event is
    /// skipped: it stops a loop that admission could not see (across namespaces, or created while the webhook was down).
    /// </summary>
    public int MaxChainDepth { get; init; } = 10;
}

public sealed class FlowOutputOptionsValidator : AbstractValidator<FlowOutputOptions>
{
    public FlowOutputOptionsValidator() => RuleFor(o => o.MaxChainDepth).InclusiveBetween(1, 1000).WithMessage("must be between 1 and 1000");
}
