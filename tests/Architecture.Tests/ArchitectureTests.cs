namespace Arkonis.Architecture.Tests;

/// <summary>
/// The rules of the code's shape (STYLE.md, DESIGN.md §2), checked on the compiled Model, Admission and Dispatcher
/// assemblies: no namespace cycles, the Kubernetes client only at its edge, a pure model.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>Where the Kubernetes client (namespace <c>k8s</c>) may be used.</summary>
    private static readonly string[] KubernetesRooms = ["Arkonis.Dispatcher.Kubernetes", "Arkonis.Admission.Cycles", "Arkonis.Model"];

    [Fact]
    public void Namespaces_have_no_cycles()
    {
        var graph = NamespaceGraph.OfProduct();
        Assert.NotEmpty(graph.Edges);

        var cycles = graph.Cycles();

        Assert.True(cycles.Count == 0, "Namespace cycles (each namespace a node, sub-namespaces separate):\n" + string.Join("\n",
            cycles.Select(c => "  " + string.Join(" <-> ", c) + "\n" + string.Join("\n", graph.Explain(c)))));
    }

    [Fact]
    public void Only_the_Kubernetes_rooms_use_the_Kubernetes_client()
    {
        var uses = NamespaceGraph.Dependencies()
            .Where(d => IsKubernetesClient(d.To) && !KubernetesRooms.Any(room => IsIn(d.From.Namespace.FullName, room)))
            .Select(d => $"  {d.From.FullName} -> {d.To.FullName}")
            .Distinct()
            .ToList();

        Assert.True(uses.Count == 0, "k8s used outside " + string.Join(", ", KubernetesRooms) + ":\n" + string.Join("\n", uses));
    }

    [Fact]
    public void The_model_depends_on_neither_ASP_NET_Core_nor_Dapr()
    {
        var uses = NamespaceGraph.Dependencies()
            .Where(d => IsIn(d.From.Namespace.FullName, "Arkonis.Model") && IsHostOrDapr(d.To.Namespace.FullName))
            .Select(d => $"  {d.From.FullName} -> {d.To.FullName}")
            .Distinct()
            .ToList();
        var references = typeof(Arkonis.Model.Resources.ArkEvent).Assembly.GetReferencedAssemblies()
            .Where(a => IsHostOrDapr(a.Name ?? string.Empty))
            .Select(a => "  assembly reference " + a.Name);

        Assert.True(uses.Count == 0 && !references.Any(), "The model must stay pure:\n" + string.Join("\n", uses.Concat(references)));
    }

    [Fact]
    public void The_rules_see_the_product()
    {
        // A rule over an empty or partial graph passes for the wrong reason: every assembly and its rooms are there.
        var namespaces = NamespaceGraph.Architecture.Types.Select(t => t.Namespace.FullName).ToHashSet();
        Assert.Contains("Arkonis.Model.Resources", namespaces);
        Assert.Contains("Arkonis.Admission.Cycles", namespaces);
        Assert.Contains("Arkonis.Dispatcher.Kubernetes", namespaces);
        Assert.Contains("Arkonis.Crd", namespaces);
        Assert.Contains(NamespaceGraph.Dependencies(), d => IsKubernetesClient(d.To));
    }

    /// <summary>
    /// The client library's API: everything in <c>k8s</c> but the object types (<c>k8s.Models</c>) and the JSON/YAML
    /// serializers, which are the model's own vocabulary (an ArkEvent's metadata is a <c>V1ObjectMeta</c>) and so are
    /// seen wherever an ArkEvent is.
    /// </summary>
    private static bool IsKubernetesClient(ArchUnitNET.Domain.IType type) =>
        IsIn(type.Namespace.FullName, "k8s") && !IsIn(type.Namespace.FullName, "k8s.Models") &&
        !type.FullName.StartsWith("k8s.KubernetesJson", StringComparison.Ordinal) &&
        !type.FullName.StartsWith("k8s.KubernetesYaml", StringComparison.Ordinal);

    private static bool IsIn(string @namespace, string room) =>
        @namespace == room || @namespace.StartsWith(room + ".", StringComparison.Ordinal);

    private static bool IsHostOrDapr(string name) =>
        name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || IsIn(name, "Dapr") || name.StartsWith("Dapr.", StringComparison.Ordinal);
}
