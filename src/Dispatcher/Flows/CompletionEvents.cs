namespace Arkonis.Dispatcher.Flows;

/// <summary>The workflow external event that carries one target flow's completion to the run waiting for it.</summary>
public static class CompletionEvents
{
    /// <summary>One name per correlation id: the run's workflow waits for it, <see cref="RunCompletionRouter"/> raises it.</summary>
    public static string Name(string correlationId) => "flow-completed|" + correlationId;
}
