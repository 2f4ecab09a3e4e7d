using System.Text.Json;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Flows;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Kubernetes.Flows;

/// <summary>
/// Starts a flow in a cluster the way ark-operator expects: a new ArkFlow made from the target's template ArkFlow
/// (see <see cref="ArkFlowRuns"/>), owned by the ArkEvent. Idempotent: the name is derived from the correlation id,
/// so a retried start meets AlreadyExists and counts as started.
/// </summary>
internal sealed class KubernetesFlowRunner(
    IKubernetes client,
    ArkEventCatalog catalog,
    IOptions<KubernetesModeOptions> options,
    ILogger<KubernetesFlowRunner> logger) : IFlowRunner
{
    public async Task StartAsync(FlowStartRequest request, CancellationToken cancellationToken)
    {
        JsonElement template;
        try
        {
            template = (JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync(
                ArkonisNames.Group, ArkonisNames.Version, request.Namespace, ArkonisNames.ArkFlows, request.Pipeline, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Retrying cannot make the template appear: a refusal, recorded as this target's failure.
            throw new FlowStartRejectedException($"flow template {request.Pipeline} not found in namespace {request.Namespace}");
        }

        var owner = catalog.Find(request.Namespace, request.EventName)?.Event;
        // The flow start's span (StartFlowActivity) is current: the ArkFlow carries it to the flow and to its completion.
        var flow = ArkFlowRuns.Build(template, request, owner, DispatcherTracing.Current());
        var name = flow["metadata"]!["name"]!.GetValue<string>();
        try
        {
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(
                flow, ArkonisNames.Group, ArkonisNames.Version, request.Namespace, ArkonisNames.ArkFlows,
                fieldManager: options.Value.FieldManager, cancellationToken: cancellationToken);
            KubernetesLog.FlowCreated(logger, request.Namespace, name, request.Pipeline, request.RunId);
        }
        catch (HttpOperationException e) when (KubernetesErrors.Reason(e) == "AlreadyExists")
        {
            KubernetesLog.FlowAlreadyCreated(logger, request.Namespace, name, request.RunId);
        }
    }
}
