using Arkonis.Model.Cycles;
using Arkonis.Model.Resources;

namespace Arkonis.Model.Tests;

public sealed class FlowCyclesTests
{
    [Fact]
    public void Finds_a_two_event_loop()
    {
        var a = Samples.FlowOutput("x", "a", "y");
        var b = Samples.FlowOutput("y", "b", "x");

        Assert.Equal(["a: after flow x fires y", "b: after flow y fires x"], FlowCycles.FindCycle(a, [b]));
    }

    [Fact]
    public void Finds_a_longer_loop_through_a_fan_out()
    {
        var a = Samples.FlowOutput("x", "a", "y");
        var others = new[]
        {
            Samples.FlowOutput("y", "b", "unrelated", "z"),
            Samples.FlowOutput("z", "c", "x"),
            Samples.Webhook("w", "x"),
        };

        Assert.Equal(["a: after flow x fires y", "b: after flow y fires z", "c: after flow z fires x"], FlowCycles.FindCycle(a, others));
    }

    [Fact]
    public void A_chain_without_loop_is_fine()
    {
        var a = Samples.FlowOutput("x", "a", "y");
        Assert.Null(FlowCycles.FindCycle(a, [Samples.FlowOutput("y", "b", "z"), Samples.FlowOutput("z", "c", "end")]));
    }

    [Fact]
    public void The_stored_version_of_the_candidate_is_ignored()
    {
        var updated = Samples.FlowOutput("x", "a", "z");
        var stored = Samples.FlowOutput("y", "a", "x");
        Assert.Null(FlowCycles.FindCycle(updated, [stored, Samples.FlowOutput("z", "b", "q")]));
    }

    [Fact]
    public void Non_flow_output_candidates_have_no_cycle()
    {
        Assert.Null(FlowCycles.FindCycle(Samples.Webhook("w", "x"), [Samples.FlowOutput("x", "b", "x")]));
    }

    [Fact]
    public void Self_loop_is_reported()
    {
        Assert.Equal(["a: after flow x fires x"], FlowCycles.FindCycle(Samples.FlowOutput("x", "a", "x"), []));
    }

    [Fact]
    public void Large_dense_graphs_stay_linear()
    {
        // 2,000 events, each watching flow i and firing the next 20 flows: a DFS over paths would explode.
        var events = Enumerable.Range(0, 2000)
            .Select(i => Samples.FlowOutput($"f{i}", $"e{i}", Enumerable.Range(i + 1, 20).Select(j => $"f{j}").ToArray()))
            .ToList();
        var candidate = Samples.FlowOutput("f2019", "closing", "f0");

        var cycle = FlowCycles.FindCycle(candidate, events);

        Assert.NotNull(cycle);
        Assert.Equal("closing: after flow f2019 fires f0", cycle[0]);
        Assert.EndsWith("fires f2019", cycle[^1], StringComparison.Ordinal);
        Assert.Null(FlowCycles.FindCycle(Samples.FlowOutput("f3000", "open", "f0"), events));
    }
}

public sealed class CycleProblemTests
{
    [Fact]
    public void A_loop_is_a_forbidden_source_flow()
    {
        var causes = CheckCycle(Samples.FlowOutput("x", "a", "y"), [Samples.FlowOutput("y", "b", "x")]);

        var problem = Assert.Single(causes.Problems);
        Assert.Empty(causes.Warnings);
        Assert.Equal("FieldValueForbidden", problem.Reason);
        Assert.Equal("spec.source.flow: Forbidden: would start an endless loop of flow-output events: a: after flow x fires y; b: after flow y fires x", problem.ToString());
    }

    [Fact]
    public void No_loop_no_problem() =>
        Assert.True(CheckCycle(Samples.FlowOutput("x", "a", "y"), [Samples.FlowOutput("z", "b", "x")]).IsValid);

    private static Validation.KubernetesCauses CheckCycle(ArkEvent candidate, ArkEvent[] sameNamespace) =>
        Validation.KubernetesCauses.From(new Validation.FlowCycleValidator(sameNamespace).Validate(candidate));
}
