using Arkonis.Dispatcher.Flows;

namespace Arkonis.Dispatcher.Triggers.FlowOutput;

/// <summary>
/// Sees every <c>flow-completed</c> message the dispatcher receives (after its own routing to waiting runs).
/// Throwing asks for the message to be redelivered; observers must therefore be idempotent.
/// </summary>
public interface IFlowCompletionObserver
{
    Task OnFlowCompletedAsync(FlowCompleted completion, CancellationToken cancellationToken);
}
