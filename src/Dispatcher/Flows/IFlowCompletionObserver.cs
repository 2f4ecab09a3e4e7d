namespace Arkonis.Dispatcher.Flows;

/// <summary>
/// Reacts to every <c>flow-completed</c> message the dispatcher receives. Register any number
/// (<c>services.AddSingleton&lt;IFlowCompletionObserver, X&gt;()</c>); the subscription calls each in turn.
/// Delivery is at least once and a message is redelivered when any observer fails, so observers must be
/// idempotent. Throw <see cref="Hosting.SidecarUnavailableException"/> (or any exception) to have the message
/// redelivered; return normally to acknowledge it.
/// </summary>
public interface IFlowCompletionObserver
{
    Task OnFlowCompletedAsync(FlowCompleted completion, CancellationToken cancellationToken);
}
