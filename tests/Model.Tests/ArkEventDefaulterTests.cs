using Arkonis.Model.Defaulting;
using Arkonis.Model.Resources;
using Arkonis.Model.Validation;
using k8s;

namespace Arkonis.Model.Tests;

public sealed class ArkEventDefaulterTests
{
    [Fact]
    public void Fills_the_defaults_of_a_cron_event()
    {
        var ev = Samples.Cron();

        Assert.True(ArkEventDefaulter.Apply(ev));

        Assert.Equal("Allow", ev.Spec.ConcurrencyPolicy);
        Assert.False(ev.Spec.Suspend);
        Assert.Equal("UTC", ev.Spec.Source!.Timezone);
        Assert.Null(ev.Spec.Source.OnPhase);
        Assert.Equal(3, ev.Spec.SuccessfulRunsHistoryLimit);
        Assert.Equal(1, ev.Spec.FailedRunsHistoryLimit);
    }

    [Fact]
    public void Fills_onPhase_only_for_flow_output()
    {
        var flow = Samples.FlowOutput("up");
        var hook = Samples.Webhook();

        ArkEventDefaulter.Apply(flow);
        ArkEventDefaulter.Apply(hook);

        Assert.Equal("Succeeded", flow.Spec.Source!.OnPhase);
        Assert.Null(flow.Spec.Source.Timezone);
        Assert.Null(hook.Spec.Source!.OnPhase);
        Assert.Null(hook.Spec.Source.Timezone);
    }

    [Fact]
    public void Never_overwrites_a_value_the_user_set()
    {
        var ev = Samples.Cron(timezone: "Europe/Berlin").With(e =>
        {
            e.Spec.ConcurrencyPolicy = "Forbid";
            e.Spec.Suspend = true;
            e.Spec.SuccessfulRunsHistoryLimit = 0;
            e.Spec.FailedRunsHistoryLimit = 7;
        });
        var before = KubernetesJson.Serialize(ev);

        Assert.False(ArkEventDefaulter.Apply(ev));

        Assert.Equal(before, KubernetesJson.Serialize(ev));
    }

    [Theory]
    [InlineData("webhook")]
    [InlineData("cron")]
    [InlineData("flow-output")]
    [InlineData("no-such-type")]
    public void Is_idempotent(string type)
    {
        var ev = Samples.Webhook().With(e => e.Spec.Source!.Type = type);
        ArkEventDefaulter.Apply(ev);
        var once = KubernetesJson.Serialize(ev);

        Assert.False(ArkEventDefaulter.Apply(ev));
        Assert.Equal(once, KubernetesJson.Serialize(ev));
    }

    [Fact]
    public void Defaulted_sample_events_stay_valid()
    {
        foreach (var ev in new[] { Samples.Webhook(), Samples.Cron(), Samples.FlowOutput("up") })
        {
            ArkEventDefaulter.Apply(ev);
            Assert.Empty(Samples.Validator.Check(ev).Problems);
        }
    }

    [Fact]
    public void Tolerates_a_missing_spec_and_source()
    {
        var ev = Samples.Webhook().With(e => e.Spec = null!);
        Assert.True(ArkEventDefaulter.Apply(ev));
        Assert.Null(ev.Spec.Source);
        Assert.Null(ev.Spec.Targets);
    }
}

public sealed class DefaultPatchTests
{
    [Fact]
    public void Lists_the_missing_defaults_as_json_pointers()
    {
        var ev = Samples.Cron().With(e => e.Spec.ConcurrencyPolicy = "Forbid");

        var fields = ArkEventDefaulter.MissingDefaults(ev);

        Assert.Equal(
            ["/spec/suspend=false", "/spec/successfulRunsHistoryLimit=3", "/spec/failedRunsHistoryLimit=1", "/spec/source/timezone=\"UTC\""],
            fields.Select(f => $"{f.Path}={f.Value.ToJsonString()}"));
    }

    [Fact]
    public void Adding_the_missing_defaults_equals_applying_them()
    {
        foreach (var ev in new[] { Samples.Cron(), Samples.FlowOutput("up"), Samples.Webhook(), Samples.Webhook().With(e => e.Spec = null!) })
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(ev))!.AsObject();
            foreach (var field in ArkEventDefaulter.MissingDefaults(ev))
            {
                var parts = field.Path.Trim('/').Split('/');
                var parent = parts[..^1].Aggregate((System.Text.Json.Nodes.JsonNode)node, (n, key) => n[key]!);
                parent.AsObject().Add(parts[^1], field.Value.DeepClone());
            }

            ArkEventDefaulter.Apply(ev);
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(ev)), node), node.ToJsonString());
            Assert.Empty(ArkEventDefaulter.MissingDefaults(ev));
        }
    }
}
