namespace Arkonis.Dispatcher.Flows;

/// <summary>The flow runner refused the flow for good (unknown pipeline, invalid input): retrying cannot help.</summary>
public sealed class FlowStartRejectedException(string message) : Exception(message);
