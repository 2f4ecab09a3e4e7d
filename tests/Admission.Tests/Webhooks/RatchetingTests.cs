using System.Text.Json.Nodes;
using Arkonis.Admission.Tests.Support;
using NSubstitute;

namespace Arkonis.Admission.Tests.Webhooks;

/// <summary>
/// Ratcheting: an UPDATE that leaves the stored spec as it is (metadata only) is allowed even when that spec fails
/// today's rules, and costs no cycle-check LIST; as CRD validation ratcheting treats unchanged fields
/// (<c>staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/validation/ratcheting.go</c>). The UPDATE shape is
/// kube-apiserver's (<c>object</c> and <c>oldObject</c> both set; shared/reference/admission.md 1.1).
/// </summary>
public sealed class RatchetingTests : IDisposable
{
    private readonly AdmissionApp _app = new();
    private readonly AdmissionClient _client;

    public RatchetingTests() => _client = new AdmissionClient(_app.CreateClient());

    public void Dispose() => _app.Dispose();

    /// <summary>Stored under older rules: a schedule today's validator refuses, a flow-output source (so a change would LIST).</summary>
    private static JsonObject StoredUnderOlderRules() => ApiServer.AsStored(new JsonObject
    {
        ["apiVersion"] = "arkonis.dev/v1alpha1",
        ["kind"] = "ArkEvent",
        ["metadata"] = new JsonObject { ["name"] = "after" },
        ["spec"] = new JsonObject
        {
            ["source"] = new JsonObject { ["type"] = "flow-output", ["flow"] = "x" },
            ["targets"] = new JsonArray(new JsonObject { ["pipeline"] = "y" }, new JsonObject { ["pipeline"] = "y" }),
        },
    });

    public static TheoryData<string, Action<JsonObject>> MetadataOnlyChanges => new()
    {
        { "an annotation", o => o["metadata"]!["annotations"] = new JsonObject { ["note"] = "x" } },
        { "the rotate-token annotation", o => o["metadata"]!["annotations"] = new JsonObject { ["arkonis.dev/rotate-token"] = "2026-11-29T04:00:00Z" } },
        { "a finalizer", o => o["metadata"]!["finalizers"] = new JsonArray("example.com/hold") },
        { "a label, with the spec's keys in another order", o =>
            {
                o["metadata"]!["labels"] = new JsonObject { ["team"] = "ai" };
                var spec = o["spec"]!.AsObject();
                var source = spec["source"]!.DeepClone();
                spec.Remove("source");
                spec["source"] = source;
            }
        },
    };

    [Theory]
    [MemberData(nameof(MetadataOnlyChanges))]
    public async Task A_metadata_only_update_of_an_event_that_fails_todays_rules_is_allowed_without_a_list(string change, Action<JsonObject> mutate)
    {
        var old = StoredUnderOlderRules();
        var updated = old.DeepClone().AsObject();
        mutate(updated);

        var response = await _client.ValidateAsync(ApiServer.Review("UPDATE", updated, old));

        Assert.True(response["allowed"]!.GetValue<bool>(), $"{change}: {response.ToJsonString()}");
        await _app.Lister.DidNotReceiveWithAnyArgs().ListAsync(default!, default);
    }

    [Fact]
    public async Task A_spec_change_is_judged_by_todays_rules()
    {
        var old = StoredUnderOlderRules();
        var updated = old.DeepClone().AsObject();
        updated["spec"]!["suspend"] = true;

        var response = await _client.ValidateAsync(ApiServer.Review("UPDATE", updated, old));

        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Contains(response["status"]!["details"]!["causes"]!.AsArray(), c => c!["reason"]!.GetValue<string>() == "FieldValueDuplicate");
    }

    [Fact]
    public async Task A_create_of_the_same_object_is_judged_by_todays_rules()
    {
        var response = await _client.ValidateAsync(ApiServer.Review("CREATE", StoredUnderOlderRules()));

        Assert.False(response["allowed"]!.GetValue<bool>());
    }
}
