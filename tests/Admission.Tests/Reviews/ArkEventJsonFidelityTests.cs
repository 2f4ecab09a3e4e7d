using System.Text.Json;
using System.Text.Json.Nodes;
using Arkonis.Admission.Reviews;
using Arkonis.Admission.Tests.Support;
using Arkonis.Model.Resources;
using k8s;

namespace Arkonis.Admission.Tests.Reviews;

/// <summary>
/// The webhooks read and write ArkEvents with a compiled <see cref="ArkEventJsonContext"/> instead of
/// <see cref="KubernetesJson"/>: both must see and write exactly the same object, every field included.
/// </summary>
public sealed class ArkEventJsonFidelityTests
{
    /// <summary>Every field of the model and of the object meta an API server sends, dates in every precision.</summary>
    private const string Rich = """
        {"apiVersion":"arkonis.dev/v1alpha1","kind":"ArkEvent",
         "metadata":{"name":"after-ingest","namespace":"ai-team","uid":"eae00ed2-72d2-4ab4-9012-51ba11a284d0","resourceVersion":"7",
           "generation":3,"creationTimestamp":"2026-11-28T08:00:00Z","deletionTimestamp":"2026-11-28T09:00:00.123456Z",
           "deletionGracePeriodSeconds":30,"labels":{"team":"ai"},"annotations":{"a/b":"c"},"finalizers":["arkonis.dev/runs"],
           "generateName":"after-","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"owner","uid":"u1","controller":true,"blockOwnerDeletion":false}],
           "managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"arkonis.dev/v1alpha1","time":"2026-11-28T08:00:00Z",
             "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:targets":{"k:{\"pipeline\":\"x\"}":{".":{}}}}},"subresource":"status"}]},
         "spec":{"source":{"type":"flow-output","flow":"ingest","onPhase":"Succeeded","cron":"0 8 * * *","timezone":"Europe/Berlin"},
           "targets":[{"pipeline":"summarize","input":{"doc":"{{ .output.doc }}"}},{"pipeline":"index"}],
           "concurrencyPolicy":"Forbid","suspend":false,"startingDeadlineSeconds":120,"successfulRunsHistoryLimit":3,"failedRunsHistoryLimit":1},
         "status":{"webhookURL":"https://x/y","nextFireAt":"2026-11-29T08:00:00Z","lastFiredAt":"2026-11-28T08:00:00.500000Z","firedCount":12,
           "lastRun":{"id":"r-1","result":"Succeeded","completedAt":"2026-11-28T08:00:03Z"},"observedGeneration":3,
           "conditions":[{"type":"Ready","status":"True","reason":"Scheduled","message":"ok","observedGeneration":3,"lastTransitionTime":"2026-11-28T08:00:00Z"}]}}
        """;

    public static TheoryData<string> Objects()
    {
        var data = new TheoryData<string> { Rich };
        foreach (var file in Directory.GetFiles(Repo.DeployPath("examples"), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(ApiServer.AsStored(Repo.LoadOne(file)).ToJsonString());
        }

        // Dates as other clients write them: nanoseconds, an offset, no fraction.
        data.Add("""{"metadata":{"name":"x","creationTimestamp":"2026-11-28T08:00:00.123456789Z"},"status":{"nextFireAt":"2026-11-28T10:00:00+02:00"}}""");
        data.Add("""{"metadata":{},"spec":{},"unknownField":{"kept":"out"}}""");
        return data;
    }

    [Theory]
    [MemberData(nameof(Objects))]
    public void Reads_and_writes_what_the_Kubernetes_serializer_reads_and_writes(string json)
    {
        var viaClient = KubernetesJson.Deserialize<ArkEvent>(json);
        var viaContext = JsonSerializer.Deserialize(json, ArkEventJsonContext.Default.ArkEvent)!;

        var expected = JsonNode.Parse(KubernetesJson.Serialize(viaClient));
        Assert.True(JsonNode.DeepEquals(expected, JsonSerializer.SerializeToNode(viaContext, ArkEventJsonContext.Default.ArkEvent)), json);
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(KubernetesJson.Serialize(viaContext))), json);
        Assert.True(JsonNode.DeepEquals(expected, JsonSerializer.SerializeToNode(viaClient, ArkEventJsonContext.Default.ArkEvent)), json);
    }

    [Fact]
    public void Round_trips_every_field_without_losing_or_inventing_one()
    {
        var ev = JsonSerializer.Deserialize(Rich, ArkEventJsonContext.Default.ArkEvent)!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Rich), JsonSerializer.SerializeToNode(ev, ArkEventJsonContext.Default.ArkEvent)));
        Assert.Equal(new DateTime(2026, 11, 28, 9, 0, 0, DateTimeKind.Utc).AddTicks(1_234_560), ev.Metadata.DeletionTimestamp);
        Assert.Equal(DateTimeKind.Utc, ev.Status!.LastFiredAt!.Value.Kind);
    }

    [Theory]
    [InlineData("""{"spec":{"targets":"summarize"}}""")]
    [InlineData("""{"spec":{"targets":[{"pipeline":"a","input":{"k":1}}]}}""")]
    [InlineData("""{"metadata":{"generation":"three"}}""")]
    [InlineData("""{"spec":{"suspend":"yes"}}""")]
    public void A_wrong_type_fails_at_the_same_path_as_with_the_Kubernetes_serializer(string json)
    {
        var client = Assert.ThrowsAny<JsonException>(() => KubernetesJson.Deserialize<ArkEvent>(json));
        var context = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, ArkEventJsonContext.Default.ArkEvent));
        Assert.Equal(client.Path, context.Path);
    }

    [Fact]
    public void A_date_that_is_not_RFC_3339_fails_as_with_the_Kubernetes_serializer()
    {
        const string json = """{"metadata":{"creationTimestamp":"yesterday"}}""";
        var client = Record.Exception(() => KubernetesJson.Deserialize<ArkEvent>(json));
        var context = Record.Exception(() => JsonSerializer.Deserialize(json, ArkEventJsonContext.Default.ArkEvent));
        Assert.NotNull(client);
        Assert.Equal(client.GetType(), context?.GetType());
    }
}
