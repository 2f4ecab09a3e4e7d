using System.Text.Json.Nodes;
using Arkonis.Model.Cycles;
using Arkonis.Model.Defaulting;
using Arkonis.Model.Resources;
using Arkonis.Model.Templates;
using Arkonis.Model.Validation;
using k8s;

namespace Arkonis.Model.Tests;

/// <summary>Objects the schema would reject still reach the mutating webhook: nothing in the model may throw on them.</summary>
public sealed class OddInputTests
{
    public static TheoryData<string, string> Documents => new()
    {
        { "empty object", "{}" },
        { "null metadata and spec", """{"metadata":null,"spec":null}""" },
        { "empty spec", """{"metadata":{"name":"x"},"spec":{}}""" },
        { "null source fields", """{"metadata":{"name":"x"},"spec":{"source":{"type":null,"cron":null}}}""" },
        { "null target", """{"metadata":{"name":"x"},"spec":{"source":{"type":"webhook"},"targets":[null]}}""" },
        { "null input value", """{"metadata":{"name":"x"},"spec":{"source":{"type":"webhook"},"targets":[{"pipeline":"p","input":{"a":null}}]}}""" },
        { "empty strings", """{"metadata":{"name":""},"spec":{"source":{"type":"","cron":"","timezone":"","flow":"","onPhase":""},"targets":[{"pipeline":""}],"concurrencyPolicy":""}}""" },
        { "flow-output with empty flow", """{"metadata":{"name":"x"},"spec":{"source":{"type":"flow-output","flow":""},"targets":[{"pipeline":"p"}]}}""" },
        { "cron of blanks", """{"metadata":{"name":"x"},"spec":{"source":{"type":"cron","cron":"   \t "},"targets":[{"pipeline":"p"}]}}""" },
        { "unicode everywhere", """{"metadata":{"name":"ü"},"spec":{"source":{"type":"cron","cron":"٣ * * * *","timezone":"Europe/Bérlin"},"targets":[{"pipeline":"ü","input":{"ключ":"{{ .trigger.body.ключ }}"}}]}}""" },
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void Nothing_throws(string name, string json)
    {
        var ev = KubernetesJson.Deserialize<ArkEvent>(json);

        var result = Samples.Validator.Check(ev);
        Assert.False(result.IsValid, name);
        Assert.All(result.Problems, p => Assert.False(string.IsNullOrEmpty(p.Field)));

        new FlowCycleValidator([ev, Samples.FlowOutput("p", "other", "x")]).Validate(ev);
        ArkEventDefaulter.MissingDefaults(ev);
        ArkEventDefaulter.Apply(ev);
        Assert.False(ArkEventDefaulter.Apply(ev));
        foreach (var target in ev.Spec.Targets?.OfType<EventTarget>() ?? [])
        {
            TargetInput.Build(target, new TemplateContext("x", "ns", DateTimeOffset.UnixEpoch, JsonNode.Parse("{}"), null));
        }
    }
}
