using Arkonis.Model.Resources;

namespace Arkonis.Model.Cycles;

/// <summary>
/// Finds loops among flow-output events: event E watches flow F and fires targets T, so "F completes" leads to "each T
/// completes". A candidate closes a loop when, following these edges from its targets, its own source flow is reached.
/// </summary>
public static class FlowCycles
{
    /// <summary>
    /// The loop the candidate would close, as readable steps starting with the candidate
    /// (<c>["a: after flow x fires y", "b: after flow y fires x"]</c>), or null when there is none. Other events with the
    /// candidate's name are ignored (the candidate replaces them). Breadth-first, so the shortest loop is reported and
    /// the cost is linear in the number of events and targets.
    /// </summary>
    public static IReadOnlyList<string>? FindCycle(ArkEvent candidate, IEnumerable<ArkEvent> sameNamespace)
    {
        if (candidate.Spec?.Source is not { Type: SourceTypes.FlowOutput, Flow: { Length: > 0 } start })
        {
            return null;
        }

        var candidateTargets = Pipelines(candidate).ToArray();
        if (candidateTargets.Length == 0)
        {
            return null;
        }

        // flow -> events watching it
        var watchers = new Dictionary<string, List<ArkEvent>>(StringComparer.Ordinal);
        foreach (var other in sameNamespace)
        {
            if (other.Name == candidate.Name || other.Spec?.Source is not { Type: SourceTypes.FlowOutput, Flow: { Length: > 0 } flow })
            {
                continue;
            }

            if (!watchers.TryGetValue(flow, out var list))
            {
                watchers[flow] = list = [];
            }

            list.Add(other);
        }

        // Each reached flow remembers the step (event, from-flow) that reached it first.
        var reachedBy = new Dictionary<string, (ArkEvent Event, string From)>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        foreach (var target in candidateTargets)
        {
            if (reachedBy.TryAdd(target, (candidate, start)))
            {
                queue.Enqueue(target);
            }
        }

        while (queue.Count > 0)
        {
            var flow = queue.Dequeue();
            if (flow == start)
            {
                return Describe(reachedBy, start);
            }

            if (!watchers.TryGetValue(flow, out var events))
            {
                continue;
            }

            foreach (var ev in events)
            {
                foreach (var next in Pipelines(ev))
                {
                    if (reachedBy.TryAdd(next, (ev, flow)))
                    {
                        queue.Enqueue(next);
                    }
                }
            }
        }

        return null;
    }

    private static List<string> Describe(Dictionary<string, (ArkEvent Event, string From)> reachedBy, string start)
    {
        var steps = new List<string>();
        var flow = start;
        do
        {
            var (ev, from) = reachedBy[flow];
            steps.Add($"{ev.Name}: after flow {from} fires {flow}");
            flow = from;
        }
        while (flow != start);

        steps.Reverse();
        return steps;
    }

    private static IEnumerable<string> Pipelines(ArkEvent ev) =>
        (ev.Spec?.Targets ?? []).Select(static t => t?.Pipeline).OfType<string>().Where(static p => p.Length > 0);
}
