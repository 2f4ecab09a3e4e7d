using System.Diagnostics.Metrics;

namespace Arkonis.Dispatcher.Diagnostics;

/// <summary>
/// The dispatcher's one meter, <c>Arkonis.Dispatcher</c>. Its instruments come in groups by what they measure, each a
/// class beside that code: <see cref="DispatcherMetrics"/> (trigger API, runs, completions), <c>TriggerMetrics</c>
/// (cron and flow-output) and <c>KubernetesModeMetrics</c> (cluster mode). Every group takes its instruments from
/// <see cref="From"/>; <see cref="IMeterFactory"/> hands out one <see cref="Meter"/> per name, so they all share it.
/// </summary>
public static class DispatcherMeter
{
    public const string Name = "Arkonis.Dispatcher";

    /// <summary>The service's meter, owned (and disposed) by <paramref name="meterFactory"/>.</summary>
    public static Meter From(IMeterFactory meterFactory) => meterFactory.Create(Name);
}
