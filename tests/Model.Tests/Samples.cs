using Arkonis.Model.Resources;
using Arkonis.Model.Validation;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Arkonis.Model.Tests;

/// <summary>Valid ArkEvents of each type, for tests to break one field at a time.</summary>
internal static class Samples
{
    /// <summary>The first instant of 2026: a fixed clock for the rules that give advice about the coming year.</summary>
    public static readonly DateTimeOffset NewYear2026 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A validator on a fixed clock (<see cref="NewYear2026"/>).</summary>
    public static readonly ArkEventValidator Validator = new(new FakeTimeProvider(NewYear2026));

    public static ArkEvent Webhook(string name = "hook", params string[] pipelines) => New(name, new EventSource { Type = SourceTypes.Webhook }, pipelines);

    public static ArkEvent Cron(string cron = "0 8 * * *", string? timezone = null, string name = "nightly") =>
        New(name, new EventSource { Type = SourceTypes.Cron, Cron = cron, Timezone = timezone }, []);

    public static ArkEvent FlowOutput(string flow, string name = "after", params string[] pipelines) =>
        New(name, new EventSource { Type = SourceTypes.FlowOutput, Flow = flow }, pipelines);

    public static ArkEvent With(this ArkEvent ev, Action<ArkEvent> change)
    {
        change(ev);
        return ev;
    }

    private static ArkEvent New(string name, EventSource source, string[] pipelines) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ai-team" },
        Spec = new ArkEventSpec
        {
            Source = source,
            Targets = (pipelines.Length == 0 ? ["my-flow"] : pipelines).Select(p => new EventTarget { Pipeline = p }).ToList(),
        },
    };
}
