using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace Arkonis.Samples.FlowRunner;

/// <summary>
/// A stand-in for ArkFlow: accepts a run, dedupes it by correlation id (a retried start never runs a flow twice),
/// "runs" it for a delay (default from options, or the input's <c>_delayMs</c>), fails when the input has
/// <c>_fail: "reason"</c>, and publishes <c>flow-completed</c>. The output is <c>{pipeline, echo: input}</c>.
/// A finished run's correlation id is remembered for dedupe while it is among the last
/// <see cref="FlowRunnerSampleOptions.FinishedRunsRemembered"/> to finish (a retried start comes seconds after the
/// first, not thousands of runs later); a runner up for days does not keep every id it ever saw.
/// </summary>
public sealed partial class FlowRuns(
    IFlowCompletedPublisher publisher,
    TimeProvider time,
    IOptions<FlowRunnerSampleOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<FlowRuns> logger)
{
    private const int MaxDelayMs = 3_600_000;
    private readonly ConcurrentDictionary<string, string> _runsByCorrelation = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _finished = new();

    /// <summary>How many correlation ids are remembered (running flows and recently finished ones).</summary>
    public int Remembered => _runsByCorrelation.Count;

    /// <summary>Starts the run unless this correlation id was seen; answers at once, the flow goes on in the background.</summary>
    public FlowRunAccepted Accept(string @namespace, string pipeline, FlowRunRequest request, FlowTrace? trace = null)
    {
        var correlationId = request.CorrelationId!;
        var flowRunId = $"{pipeline}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5))}";
        var existing = _runsByCorrelation.GetOrAdd(correlationId, flowRunId);
        if (existing != flowRunId)
        {
            LogDuplicate(logger, @namespace, pipeline, correlationId);
            return new FlowRunAccepted(existing, correlationId, true);
        }
        var input = request.Input ?? [];
        _ = RunAsync(@namespace, pipeline, flowRunId, correlationId, input, request.ChainDepth, trace, lifetime.ApplicationStopping);
        return new FlowRunAccepted(flowRunId, correlationId, false);
    }

    /// <summary>The flow's duration: <c>_delayMs</c> from the input when present and sane, else the default.</summary>
    public TimeSpan DelayOf(JsonObject input)
    {
        // Flow inputs rendered from templates are strings, so "250" counts as well as 250.
        var ms = input["_delayMs"] is JsonValue value
            ? value.TryGetValue<int>(out var number) ? number
            : value.TryGetValue<string>(out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed
            : -1
            : -1;
        return ms is >= 0 and <= MaxDelayMs ? TimeSpan.FromMilliseconds(ms) : options.Value.DefaultDelay;
    }

    /// <summary>Why the flow should fail: the input's non-empty <c>_fail</c> text, or null.</summary>
    public static string? FailureOf(JsonObject input) =>
        input["_fail"] is JsonValue fail && fail.ToString() is { Length: > 0 } reason ? reason : null;

    private async Task RunAsync(
        string @namespace, string pipeline, string flowRunId, string correlationId, JsonObject input, int chainDepth, FlowTrace? trace,
        CancellationToken stopping)
    {
        try
        {
            await Task.Delay(DelayOf(input), time, stopping);
            var failure = FailureOf(input);
            var message = new FlowCompletedMessage(
                @namespace,
                pipeline,
                flowRunId,
                failure is null ? "Succeeded" : "Failed",
                failure is null ? new JsonObject { ["pipeline"] = pipeline, ["echo"] = input.DeepClone() } : null,
                failure,
                time.GetUtcNow(),
                correlationId,
                chainDepth,
                trace?.TraceParent,
                trace?.TraceState);
            await publisher.PublishAsync(message, stopping);
            LogCompleted(logger, @namespace, pipeline, flowRunId, message.Phase);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down: the run is lost, as a real flow on a stopped node would be.
        }
        catch (Exception e)
        {
            LogPublishFailed(logger, e, @namespace, pipeline, flowRunId);
        }
        Finished(correlationId);
    }

    /// <summary>Keeps the last finished runs' correlation ids; older ones are forgotten, oldest first.</summary>
    private void Finished(string correlationId)
    {
        _finished.Enqueue(correlationId);
        while (_finished.Count > options.Value.FinishedRunsRemembered && _finished.TryDequeue(out var oldest))
        {
            _runsByCorrelation.TryRemove(oldest, out _);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Flow {Namespace}/{Pipeline} run {FlowRunId} ended {Phase}")]
    private static partial void LogCompleted(ILogger logger, string @namespace, string pipeline, string flowRunId, string phase);

    [LoggerMessage(2, LogLevel.Information, "Flow {Namespace}/{Pipeline}: correlation id {CorrelationId} seen before; not started again")]
    private static partial void LogDuplicate(ILogger logger, string @namespace, string pipeline, string correlationId);

    [LoggerMessage(3, LogLevel.Error, "Flow {Namespace}/{Pipeline} run {FlowRunId}: the completion could not be published")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string @namespace, string pipeline, string flowRunId);

}
