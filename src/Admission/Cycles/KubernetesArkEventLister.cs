using Arkonis.Model.Resources;
using k8s;

namespace Arkonis.Admission.Cycles;

/// <summary>Lists ArkEvents through the custom-objects API (needs <c>list</c> on <c>arkevents</c>).</summary>
internal sealed class KubernetesArkEventLister(IKubernetes kubernetes) : IArkEventLister, IDisposable
{
    public void Dispose() => kubernetes.Dispose();

    public async Task<IReadOnlyList<ArkEvent>> ListAsync(string ns, CancellationToken cancellationToken)
    {
        var list = await kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<ArkEventList>(
            ArkEvent.Group, ArkEvent.Version, ns, ArkEvent.Plural, cancellationToken: cancellationToken);
        return list.Items.ToList();
    }
}

/// <summary>Used when there is neither an in-cluster configuration nor a kubeconfig: every check says so.</summary>
internal sealed class UnavailableArkEventLister : IArkEventLister
{
    public Task<IReadOnlyList<ArkEvent>> ListAsync(string ns, CancellationToken cancellationToken) =>
        Task.FromException<IReadOnlyList<ArkEvent>>(
            new InvalidOperationException("no Kubernetes API configured (not in a cluster, no kubeconfig)"));
}
