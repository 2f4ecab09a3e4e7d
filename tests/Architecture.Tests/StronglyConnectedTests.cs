namespace Arkonis.Architecture.Tests;

/// <summary>The cycle finder itself: it must see a cycle where there is one, and none in a layered graph.</summary>
public sealed class StronglyConnectedTests
{
    [Fact]
    public void A_layered_graph_has_no_cycle()
    {
        var graph = new NamespaceGraph();
        graph.Add("Arkonis.A", "Arkonis.B");
        graph.Add("Arkonis.B", "Arkonis.C");
        graph.Add("Arkonis.A", "Arkonis.C");
        graph.Add("Arkonis.A", "Arkonis.A");

        Assert.Empty(graph.Cycles());
    }

    [Fact]
    public void Two_namespaces_that_use_each_other_are_a_cycle()
    {
        var graph = new NamespaceGraph();
        graph.Add("Arkonis.Runs", "Arkonis.Workflows");
        graph.Add("Arkonis.Workflows", "Arkonis.Runs");
        graph.Add("Arkonis.Triggers", "Arkonis.Runs");

        var cycle = Assert.Single(graph.Cycles());
        Assert.Equal(["Arkonis.Runs", "Arkonis.Workflows"], cycle);
    }

    [Fact]
    public void A_long_loop_and_a_separate_pair_are_two_cycles()
    {
        var graph = new NamespaceGraph();
        graph.Add("Arkonis.A", "Arkonis.B");
        graph.Add("Arkonis.B", "Arkonis.C");
        graph.Add("Arkonis.C", "Arkonis.A");
        graph.Add("Arkonis.C", "Arkonis.D");
        graph.Add("Arkonis.D", "Arkonis.E");
        graph.Add("Arkonis.E", "Arkonis.D");

        var cycles = graph.Cycles().Select(c => string.Join(",", c)).Order().ToList();
        Assert.Equal(["Arkonis.A,Arkonis.B,Arkonis.C", "Arkonis.D,Arkonis.E"], cycles);
    }

    [Fact]
    public void A_parent_namespace_and_its_child_are_separate_nodes()
    {
        var graph = new NamespaceGraph();
        graph.Add("Arkonis.Triggers", "Arkonis.Triggers.Cron");
        graph.Add("Arkonis.Triggers.Cron", "Arkonis.Triggers");

        Assert.Single(graph.Cycles());
    }

    [Fact]
    public void Foreign_namespaces_are_not_part_of_the_graph()
    {
        var graph = new NamespaceGraph();
        graph.Add("Arkonis.A", "System");
        graph.Add("System", "Arkonis.A");

        Assert.Empty(graph.Edges);
    }
}
