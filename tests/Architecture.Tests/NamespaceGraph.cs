using ArchUnitNET.Domain;
using ArchUnitNET.Loader;

namespace Arkonis.Architecture.Tests;

/// <summary>
/// Which namespace uses which, read from the compiled assemblies (signatures, fields, attributes and method bodies,
/// through ArchUnitNET). One node per namespace: a sub-namespace is a node of its own, not part of its parent.
/// </summary>
internal sealed class NamespaceGraph
{
    private readonly Dictionary<string, SortedSet<string>> _edges = new(StringComparer.Ordinal);
    private readonly Dictionary<(string From, string To), string> _examples = [];

    /// <summary>The src assemblies the services and the CLI are built from.</summary>
    public static readonly System.Reflection.Assembly[] Product =
    [
        typeof(Arkonis.Model.Resources.ArkEvent).Assembly,
        typeof(Arkonis.Admission.Hosting.AdmissionOptions).Assembly,
        typeof(Arkonis.Dispatcher.Hosting.DispatcherPipeline).Assembly,
        typeof(Arkonis.Crd.CrdChecker).Assembly,
    ];

    private static readonly Lazy<ArchUnitNET.Domain.Architecture> Loaded =
        new(() => new ArchLoader().LoadAssemblies(Product).Build());

    public static ArchUnitNET.Domain.Architecture Architecture => Loaded.Value;

    public IReadOnlyDictionary<string, SortedSet<string>> Edges => _edges;

    /// <summary>The Arkonis.* types of the product and every type each of them uses.</summary>
    public static IEnumerable<(IType From, IType To)> Dependencies() =>
        from type in Architecture.Types
        where IsOurs(type.Namespace.FullName)
        from dependency in type.Dependencies
        // Generic parameters have no namespace; they are no dependency of their own.
        where dependency.Target?.Namespace is not null
        select (type, dependency.Target);

    public static bool IsOurs(string @namespace) =>
        @namespace == "Arkonis" || @namespace.StartsWith("Arkonis.", StringComparison.Ordinal);

    public static NamespaceGraph OfProduct()
    {
        var graph = new NamespaceGraph();
        foreach (var (from, to) in Dependencies())
        {
            graph.Add(from.Namespace.FullName, to.Namespace.FullName, $"{from.FullName} -> {to.FullName}");
        }
        return graph;
    }

    public void Add(string from, string to, string? example = null)
    {
        if (!IsOurs(from) || !IsOurs(to) || from == to)
        {
            return;
        }
        if (!_edges.TryGetValue(from, out var targets))
        {
            _edges[from] = targets = new SortedSet<string>(StringComparer.Ordinal);
        }
        targets.Add(to);
        _examples.TryAdd((from, to), example ?? $"{from} -> {to}");
    }

    /// <summary>One line per edge inside the component: the namespaces and one type dependency that makes the edge.</summary>
    public IEnumerable<string> Explain(IReadOnlyCollection<string> component) =>
        from source in component
        from target in _edges.GetValueOrDefault(source) ?? []
        where component.Contains(target)
        select $"    {source} -> {target}   (e.g. {_examples[(source, target)]})";

    /// <summary>The cycles: strongly connected components of more than one namespace (Tarjan).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles() =>
        [.. StronglyConnected.Components(_edges).Where(c => c.Count > 1)];
}

/// <summary>Tarjan's strongly connected components, iterative so deep graphs cannot overflow the stack.</summary>
internal static class StronglyConnected
{
    public static IReadOnlyList<IReadOnlyList<string>> Components(IReadOnlyDictionary<string, SortedSet<string>> edges)
    {
        var nodes = edges.Keys.Concat(edges.Values.SelectMany(v => v)).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var components = new List<IReadOnlyList<string>>();
        var next = 0;

        foreach (var root in nodes)
        {
            if (index.ContainsKey(root))
            {
                continue;
            }
            var work = new Stack<(string Node, IEnumerator<string> Targets)>();
            Visit(root);
            while (work.Count > 0)
            {
                var (node, targets) = work.Peek();
                if (targets.MoveNext())
                {
                    var target = targets.Current;
                    if (!index.TryGetValue(target, out var targetIndex))
                    {
                        Visit(target);
                    }
                    else if (onStack.Contains(target))
                    {
                        low[node] = Math.Min(low[node], targetIndex);
                    }
                    continue;
                }
                work.Pop();
                if (work.Count > 0)
                {
                    var parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }
                if (low[node] == index[node])
                {
                    var component = new List<string>();
                    string member;
                    do
                    {
                        member = stack.Pop();
                        onStack.Remove(member);
                        component.Add(member);
                    }
                    while (member != node);
                    component.Sort(StringComparer.Ordinal);
                    components.Add(component);
                }
            }

            void Visit(string node)
            {
                index[node] = low[node] = next++;
                stack.Push(node);
                onStack.Add(node);
                work.Push((node, (edges.GetValueOrDefault(node) ?? []).GetEnumerator()));
            }
        }
        return components;
    }
}
