using FluentValidation;

namespace Arkonis.Dispatcher.Flows;

/// <summary>Where local flows run: a Dapr app reached by service invocation.</summary>
public sealed record FlowRunnerOptions
{
    public const string SectionName = "FlowRunner";

    /// <summary>The Dapr app id of the flow runner.</summary>
    public string AppId { get; init; } = "flow-runner";

    /// <summary>How long one start call may take before the activity fails (and is retried).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

public sealed class FlowRunnerOptionsValidator : AbstractValidator<FlowRunnerOptions>
{
    public FlowRunnerOptionsValidator() => RuleFor(o => o.AppId).NotEmpty().WithMessage("is required");
}
