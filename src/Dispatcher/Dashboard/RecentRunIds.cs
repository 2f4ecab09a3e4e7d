using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Arkonis.Dispatcher.Dashboard;

/// <summary>
/// The run ids the dashboard has seen reported as an ArkEvent's latest run, newest first, at most
/// <see cref="PerEvent"/> each. Only ids: the runs themselves are read back through the run reader. A run that was
/// fired and superseded between two looks of the dashboard is not in the list (the trigger reports keep only the latest).
/// </summary>
public sealed class RecentRunIds
{
    public const int PerEvent = 10;

    private readonly ConcurrentDictionary<(string Namespace, string Name), ImmutableList<string>> _runs = new();

    /// <summary>Notes <paramref name="latest"/> as the event's latest run and returns the list, newest first.</summary>
    public IReadOnlyList<string> Note(string @namespace, string name, string? latest) =>
        latest is null
            ? _runs.GetValueOrDefault((@namespace, name), [])
            : _runs.AddOrUpdate(
                (@namespace, name),
                _ => [latest],
                (_, known) => known.Count > 0 && known[0] == latest
                    ? known
                    : known.Remove(latest).Insert(0, latest).Take(PerEvent).ToImmutableList());
}
