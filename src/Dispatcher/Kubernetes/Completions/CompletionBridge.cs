using System.Text.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Flows;
using Dapr.Client;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Kubernetes.Completions;

/// <summary>
/// Publishes one <c>flow-completed</c> message for a finished ArkFlow, then marks the ArkFlow
/// (<c>arkonis.dev/completion-published: "true"</c>) so no leader publishes it again.
/// <para>
/// Publish-then-mark is at-least-once: a leader that dies between the two leaves the ArkFlow unmarked and the next
/// leader publishes again. Mark-then-publish would be at-most-once and could lose a completion, which would leave a
/// sync caller waiting for nothing. The receiving side is idempotent (a completion for a run target that is already
/// recorded changes nothing), so a rare redelivery is harmless, while a loss is not.
/// </para>
/// </summary>
internal sealed class CompletionBridge(
    DaprClient dapr,
    IKubernetes client,
    IOptions<KubernetesModeOptions> options,
    TimeProvider time,
    KubernetesModeMetrics metrics,
    ILogger<CompletionBridge> logger)
{
    /// <summary>Publishes the completion of a finished run.</summary>
    public async Task PublishAsync(ArkFlowRun run, CancellationToken cancellationToken)
    {
        var message = run.ToCompletion(time.GetUtcNow());
        // Published inside the flow's trace, so daprd's CloudEvent (traceparent) and its delivery belong to the run's trace.
        using var span = CompletionTracing.StartCompletionPublish(message);
        await dapr.PublishEventAsync(FlowCompletedSubscription.PubSubName, FlowCompletedSubscription.Topic, message, cancellationToken);
        metrics.CompletionPublished(run.Phase!);
        KubernetesLog.CompletionPublished(logger, run.Namespace, run.Name, run.Phase!, run.CorrelationId);
    }

    /// <summary>Marks the ArkFlow as published; returns it as the server has it now.</summary>
    public async Task<ArkFlowRun> MarkPublishedAsync(ArkFlowRun run, CancellationToken cancellationToken)
    {
        var mark = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [ArkonisNames.CompletionPublishedAnnotation] = "true" } },
        };
        var marked = await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(mark.ToJsonString(), V1Patch.PatchType.MergePatch),
            ArkonisNames.Group, ArkonisNames.Version, run.Namespace, ArkonisNames.ArkFlows, run.Name,
            fieldManager: options.Value.FieldManager, cancellationToken: cancellationToken);
        return ArkFlowRun.Parse((JsonElement)marked);
    }
}
