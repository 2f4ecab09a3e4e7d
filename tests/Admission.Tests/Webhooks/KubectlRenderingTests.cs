using System.Text.Json.Nodes;
using Arkonis.Admission.Reviews;
using Arkonis.Admission.Tests.Support;
using Arkonis.Model.Validation;

namespace Arkonis.Admission.Tests.Webhooks;

/// <summary>The test-side kubectl renderer and the server-side NewInvalid builder, against known outputs (reference/admission.md §3).</summary>
public sealed class KubectlRenderingTests
{
    [Theory]
    [InlineData("""{"allowed":false,"status":{"code":403,"reason":"Forbidden","message":"no"}}""",
        "Error from server (Forbidden): error when creating \"ark.yaml\": admission webhook \"varkevent.arkonis.dev\" denied the request: no\n")]
    [InlineData("""{"allowed":false,"status":{"code":400,"message":"bad"}}""",
        "Error from server: error when creating \"ark.yaml\": admission webhook \"varkevent.arkonis.dev\" denied the request: bad\n")]
    [InlineData("""{"allowed":false,"status":{"code":422,"reason":"Invalid","message":"m","details":{"kind":"ArkEvent","name":"x","causes":[]}}}""",
        "The ArkEvent \"x\" is invalid\n")]
    [InlineData("""{"allowed":false,"warnings":["w1"],"status":{"code":422,"reason":"Invalid","message":"m","details":{"kind":"ArkEvent","name":"x","causes":[{"field":"a","message":"A"},{"field":"a","message":"A"},{"field":"b","message":"B"}]}}}""",
        "Warning: w1\nThe ArkEvent \"x\" is invalid: \n* a: A\n* b: B\n")]
    [InlineData("""{"allowed":true,"warnings":["w1","w2"]}""", "Warning: w1\nWarning: w2\n")]
    public void Renders_like_kubectl(string response, string expected) =>
        Assert.Equal(expected, Kubectl.Render(JsonNode.Parse(response)!, "ark.yaml"));

    [Fact]
    public void New_invalid_message_dedupes_and_drops_brackets_for_one_distinct_error()
    {
        var same = new FieldProblem("spec.source", FieldReasons.Required, "Required value");
        Assert.Equal("ArkEvent.arkonis.dev \"x\" is invalid: spec.source: Required value", InvalidStatus.Create("x", [same, same]).Message);

        var other = new FieldProblem("spec.targets", FieldReasons.Invalid, "Invalid value: 1");
        var status = InvalidStatus.Create("x", [same, other, same]);
        Assert.Equal("ArkEvent.arkonis.dev \"x\" is invalid: [spec.source: Required value, spec.targets: Invalid value: 1]", status.Message);
        Assert.Equal(3, status.Details!.Causes.Count);
        Assert.Equal((422, "Invalid", "Failure"), (status.Code, status.Reason, status.Status));
    }

    [Fact]
    public void Test_envelope_has_the_field_order_and_shape_of_a_captured_apiserver_request()
    {
        var captured = ApiServer.Fixture("05-cloud-custodian-pod-create.raw.review.json");
        var built = ApiServer.Review("CREATE", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "x" } });

        Assert.Equal(captured.Select(p => p.Key), built.Select(p => p.Key));
        Assert.Equal(captured["request"]!.AsObject().Select(p => p.Key), built["request"]!.AsObject().Select(p => p.Key));
        Assert.Equal(captured["request"]!["options"]!.AsObject().Select(p => p.Key), built["request"]!["options"]!.AsObject().Select(p => p.Key));
    }
}
