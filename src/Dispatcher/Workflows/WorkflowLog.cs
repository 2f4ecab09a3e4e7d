namespace Arkonis.Dispatcher.Workflows;

/// <summary>Log events of the run launcher that only the workflow adapter raises (1100–1199).</summary>
internal static partial class WorkflowLog
{
    [LoggerMessage(1101, LogLevel.Warning,
        "Run {RunId} of {Namespace}/{Name}: the sidecar did not confirm the start within Runs:StartTimeout, but the run exists; counted as started")]
    public static partial void RunStartAnswerLate(this ILogger logger, string runId, string @namespace, string name);
}
