using System.Collections;

namespace Arkonis.Dispatcher.Diagnostics;

/// <summary>
/// The logging scopes of the dispatcher's work on one ArkEvent and one run, so every line written inside carries
/// <c>Namespace</c>, <c>Name</c> and <c>RunId</c> (the JSON console writes them under <c>Scopes</c>), whichever
/// library writes it. Keys are the names the message templates use, so a query by run id reads the same field in a
/// line's <c>State</c> and in its scopes.
/// </summary>
internal static class LogScopes
{
    /// <summary>Work on the ArkEvent <paramref name="namespace"/>/<paramref name="name"/>, for run <paramref name="runId"/> when known.</summary>
    public static IDisposable? BeginEventScope(this ILogger logger, string @namespace, string name, string? runId = null) =>
        logger.BeginScope(new EventScope(@namespace, name, runId));

    /// <summary>Adds the run id inside an event's scope, once the run id is known.</summary>
    public static IDisposable? BeginRunScope(this ILogger logger, string runId) =>
        logger.BeginScope(new RunScope(runId));

    /// <summary>The handling of one flow completion: the flow, its run (the flow runner's id) and its correlation id (run id and target).</summary>
    public static IDisposable? BeginCompletionScope(this ILogger logger, string @namespace, string flow, string flowRunId, string? correlationId) =>
        logger.BeginScope(new CompletionScope(@namespace, flow, flowRunId, correlationId));

    /// <summary>One small object per scope, read as key/value pairs by structured providers and as one line by the simple console.</summary>
    private sealed class EventScope(string @namespace, string name, string? runId) : ScopeFields
    {
        protected override (string Key, string? Value)[] Fields { get; } =
            runId is null
                ? [("Namespace", @namespace), ("Name", name)]
                : [("Namespace", @namespace), ("Name", name), ("RunId", runId)];
    }

    private sealed class RunScope(string runId) : ScopeFields
    {
        protected override (string Key, string? Value)[] Fields { get; } = [("RunId", runId)];
    }

    private sealed class CompletionScope(string @namespace, string flow, string flowRunId, string? correlationId) : ScopeFields
    {
        protected override (string Key, string? Value)[] Fields { get; } =
            [("Namespace", @namespace), ("Flow", flow), ("FlowRunId", flowRunId), ("CorrelationId", correlationId)];
    }

    private abstract class ScopeFields : IReadOnlyList<KeyValuePair<string, object?>>
    {
        protected abstract (string Key, string? Value)[] Fields { get; }

        public int Count => Fields.Length;

        public KeyValuePair<string, object?> this[int index] => new(Fields[index].Key, Fields[index].Value);

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => string.Join(' ', Fields.Select(f => $"{f.Key}:{f.Value}"));
    }
}
