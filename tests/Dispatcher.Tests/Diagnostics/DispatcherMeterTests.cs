using Arkonis.Dispatcher.Tests.Harness;
using System.Diagnostics.Metrics;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Kubernetes;
using Arkonis.Dispatcher.Triggers;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Dispatcher.Tests.Diagnostics;

[Collection(GlobalTelemetryCollection.Name)]
public sealed class DispatcherMeterTests
{
    [Fact]
    public void Every_instrument_group_is_on_the_one_dispatcher_meter_with_its_name_and_unit()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var seen = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Scope == factory)
                {
                    lock (seen)
                    {
                        seen.Add(instrument);
                    }
                }
            },
        };
        listener.Start();

        _ = new DispatcherMetrics(factory);
        _ = new TriggerMetrics(factory);
        _ = new KubernetesModeMetrics(factory);

        Assert.Single(seen.Select(i => i.Meter).Distinct());
        Assert.Equal("Arkonis.Dispatcher", seen[0].Meter.Name);
        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["arkevent.trigger.requests"] = "{request}",
                ["arkevent.runs.launched"] = "{run}",
                ["arkevent.flow_completions"] = "{message}",
                ["arkevent.sync.wait"] = "s",
                ["arkevent.trigger.fires"] = "{run}",
                ["arkevent.trigger.skips"] = "{occurrence}",
                ["arkevent.cron.lateness"] = "s",
                ["arkevent.cron.tick.duration"] = "s",
                ["arkevent.status.patches"] = "{patch}",
                ["arkevent.status.conflicts"] = "{conflict}",
                ["arkevent.k8s_events"] = "{event}",
                ["arkevent.completions.published"] = "{message}",
            },
            seen.ToDictionary(i => i.Name, i => i.Unit));
    }
}
