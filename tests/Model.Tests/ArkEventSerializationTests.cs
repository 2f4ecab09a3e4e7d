using System.Text.Json.Nodes;
using Arkonis.Model.Resources;
using k8s;

namespace Arkonis.Model.Tests;

public sealed class ArkEventSerializationTests
{
    private const string FullYaml = """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata:
          name: pipeline-trigger
          namespace: ai-team
          labels:
            team: ai
        spec:
          source:
            type: cron
            cron: 0 8 * * *
            timezone: Europe/Berlin
          targets:
          - pipeline: my-flow
            input:
              topic: '{{ .trigger.body.topic }}'
          - pipeline: other-flow
          concurrencyPolicy: Forbid
          suspend: false
          startingDeadlineSeconds: 120
          successfulRunsHistoryLimit: 3
          failedRunsHistoryLimit: 1
        status:
          webhookURL: http://ark-operator.ai-team.svc.cluster.local:8092/triggers/ai-team/pipeline-trigger/fire
          nextFireAt: 2026-03-02T07:00:00Z
          lastFiredAt: 2026-03-01T07:00:00Z
          firedCount: 12
          lastRun:
            id: ai-team.pipeline-trigger.cron.20260301T0700Z
            result: Succeeded
            completedAt: 2026-03-01T07:03:10Z
          observedGeneration: 4
          conditions:
          - type: Ready
            status: "True"
            reason: Scheduled
            message: next fire at 2026-03-02T07:00:00Z
            lastTransitionTime: 2026-03-01T07:00:00Z
        """;

    [Fact]
    public void Status_webhook_url_keeps_the_seed_name()
    {
        var ev = new ArkEvent { Status = new ArkEventStatus { WebhookUrl = "http://x/fire" } };
        var json = KubernetesJson.Serialize(ev);
        Assert.Contains("\"webhookURL\":\"http://x/fire\"", json, StringComparison.Ordinal);
        Assert.Equal("http://x/fire", KubernetesJson.Deserialize<ArkEvent>(json).Status!.WebhookUrl);
        Assert.Contains("webhookURL: http://x/fire", KubernetesYaml.Serialize(ev), StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_loads_every_field()
    {
        var ev = Assert.IsType<ArkEvent>(Assert.Single(KubernetesYaml.LoadAllFromString(FullYaml, Types)));

        Assert.Equal("pipeline-trigger", ev.Name);
        Assert.Equal("ai-team", ev.Namespace);
        Assert.Equal("Europe/Berlin", ev.Spec.Source!.Timezone);
        Assert.Equal("{{ .trigger.body.topic }}", ev.Spec.Targets![0].Input!["topic"]);
        Assert.Equal(120, ev.Spec.StartingDeadlineSeconds);
        Assert.Equal("http://ark-operator.ai-team.svc.cluster.local:8092/triggers/ai-team/pipeline-trigger/fire", ev.Status!.WebhookUrl);
        Assert.Equal(new DateTime(2026, 3, 2, 7, 0, 0, DateTimeKind.Utc), ev.Status.NextFireAt!.Value.ToUniversalTime());
        Assert.Equal(12, ev.Status.FiredCount);
        Assert.Equal("Succeeded", ev.Status.LastRun!.Result);
        Assert.Equal("Scheduled", Assert.Single(ev.Status.Conditions!).Reason);
    }

    [Fact]
    public void Yaml_to_json_and_back_keeps_exactly_the_fields()
    {
        var fromYaml = KubernetesYaml.LoadAllFromString(FullYaml, Types).Single();
        var json = KubernetesJson.Serialize(fromYaml);

        // Same tree as the YAML read as plain data: nothing lost, nothing invented (no nulls, no defaults).
        var expected = JsonNode.Parse(KubernetesJson.Serialize(KubernetesYaml.Deserialize<object>(FullYaml)));
        Assert.True(JsonNode.DeepEquals(WithoutTransitionTimes(Normalize(expected)), WithoutTransitionTimes(Normalize(JsonNode.Parse(json)))), json);

        var again = KubernetesYaml.Serialize(KubernetesJson.Deserialize<ArkEvent>(json));
        Assert.Equal(
            WithoutTransitionTimes(JsonNode.Parse(json))!.ToJsonString(),
            WithoutTransitionTimes(JsonNode.Parse(KubernetesJson.Serialize(KubernetesYaml.Deserialize<ArkEvent>(again))))!.ToJsonString());
    }

    [Fact]
    public void Json_round_trips_keep_the_condition_transition_time_in_any_time_zone()
    {
        // The API server speaks JSON; this is the path the dispatcher's status code takes.
        const string Json = """{"status":{"conditions":[{"lastTransitionTime":"2026-03-01T07:00:00Z","status":"True","type":"Ready"}]}}""";
        var status = KubernetesJson.Deserialize<ArkEvent>(Json).Status!;

        Assert.Equal(new DateTime(2026, 3, 1, 7, 0, 0, DateTimeKind.Utc), status.Conditions![0].LastTransitionTime.ToUniversalTime());
        Assert.Contains("\"lastTransitionTime\":\"2026-03-01T07:00:00Z\"", KubernetesJson.Serialize(status), StringComparison.Ordinal);
    }

    /// <summary>
    /// KubernetesClient's YAML converter for non-nullable <see cref="DateTime"/> (V1Condition.lastTransitionTime) drops the
    /// offset ("...Z" becomes an unspecified-kind time), which the JSON writer then reads as local time: outside UTC the value
    /// moves by the machine's offset. Only conditions written by hand into YAML files meet it (the dispatcher ignores status
    /// read from files); the nullable timestamps of our own model are not affected and stay in the comparison.
    /// </summary>
    private static JsonNode? WithoutTransitionTimes(JsonNode? node)
    {
        foreach (var condition in node?["status"]?["conditions"]?.AsArray() ?? [])
        {
            condition?.AsObject().Remove("lastTransitionTime");
        }
        return node;
    }

    [Fact]
    public void Unset_fields_are_not_written()
    {
        var json = KubernetesJson.Serialize(Samples.Webhook());
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.DoesNotContain("status", json, StringComparison.Ordinal);
        Assert.DoesNotContain("suspend", json, StringComparison.Ordinal);
    }

    private static readonly Dictionary<string, Type> Types = new() { [ArkEvent.ApiVersionValue + "/" + ArkEvent.KindName] = typeof(ArkEvent) };

    // Timestamps compare as instants; YAML scalars that are numbers compare by value.
    private static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                {
                    o[key] = Normalize(child?.DeepClone());
                }

                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    a[i] = Normalize(a[i]?.DeepClone());
                }

                return a;
            case JsonValue v when v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) && s.Contains('T', StringComparison.Ordinal):
                return JsonValue.Create(t.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            case JsonValue v when v.TryGetValue<string>(out var s) && long.TryParse(s, out var n):
                return JsonValue.Create(n);
            default:
                return node;
        }
    }
}
