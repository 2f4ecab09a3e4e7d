using System.Text.Json.Nodes;
using Arkonis.Admission.Tests.Support;

namespace Arkonis.Admission.Tests.Webhooks;

public sealed class ValidatingWebhookTests(AdmissionApp app) : IClassFixture<AdmissionApp>
{
    private readonly AdmissionClient _client = new(app.CreateClient());

    private static JsonObject Event(string name, string spec) => ApiServer.AsStored(new JsonObject
    {
        ["apiVersion"] = "arkonis.dev/v1alpha1",
        ["kind"] = "ArkEvent",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = JsonNode.Parse(spec),
    });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Denial_has_the_shape_of_apimachinery_NewInvalid_with_or_without_dry_run(bool dryRun)
    {
        var obj = Event("nightly", """{"source":{"type":"cron","cron":"61 * * * *","timezone":"Mars/Olympus"},"targets":[{"pipeline":"a"},{"pipeline":"a"}]}""");

        var response = await _client.ValidateAsync(ApiServer.Review("CREATE", obj, dryRun: dryRun));

        Assert.False(response["allowed"]!.GetValue<bool>());
        var status = response["status"]!;
        Assert.Equal("Failure", status["status"]!.GetValue<string>());
        Assert.Equal(422, status["code"]!.GetValue<int>());
        Assert.Equal("Invalid", status["reason"]!.GetValue<string>());
        var causes = status["details"]!["causes"]!.AsArray();
        Assert.Equal(3, causes.Count);
        var lines = causes.Select(c => $"{c!["field"]}: {c["message"]}").ToList();
        Assert.Equal(
            $"ArkEvent.arkonis.dev \"nightly\" is invalid: [{string.Join(", ", lines)}]",
            status["message"]!.GetValue<string>());
        Assert.Equal(
            ["FieldValueInvalid", "FieldValueInvalid", "FieldValueDuplicate"],
            causes.Select(c => c!["reason"]!.GetValue<string>()).Order(StringComparer.Ordinal).Reverse().ToList());
        Assert.Equal(new JsonObject { ["group"] = "arkonis.dev", ["kind"] = "ArkEvent", ["name"] = "nightly" }.ToJsonString(),
            new JsonObject { ["group"] = status["details"]!["group"]!.DeepClone(), ["kind"] = status["details"]!["kind"]!.DeepClone(), ["name"] = status["details"]!["name"]!.DeepClone() }.ToJsonString());
    }

    [Fact]
    public async Task A_cron_with_H_is_denied_as_invalid_not_a_500()
    {
        var obj = Event("nightly", """{"source":{"type":"cron","cron":"H 8 * * *"},"targets":[{"pipeline":"a"}]}""");

        var response = await _client.ValidateAsync(ApiServer.Review("CREATE", obj));

        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal(422, response["status"]!["code"]!.GetValue<int>());
        Assert.Equal(
            "ArkEvent.arkonis.dev \"nightly\" is invalid: spec.source.cron: Invalid value: \"H 8 * * *\": H (a hashed value) is not supported, as in Kubernetes CronJobs; use a number such as \"0 8 * * *\"",
            response["status"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Single_problem_message_has_no_brackets_and_kubectl_prints_it_inline()
    {
        var obj = Event("nightly", """{"source":{"type":"cron"},"targets":[{"pipeline":"a"}]}""");
        var response = await _client.ValidateAsync(ApiServer.Review("CREATE", obj));

        Assert.Equal(
            "ArkEvent.arkonis.dev \"nightly\" is invalid: spec.source.cron: Required value: a cron event needs a schedule such as \"0 8 * * *\"",
            response["status"]!["message"]!.GetValue<string>());
        Assert.Equal(
            "The ArkEvent \"nightly\" is invalid: spec.source.cron: Required value: a cron event needs a schedule such as \"0 8 * * *\"\n",
            Kubectl.Render(response, "ark.yaml"));
    }

    [Fact]
    public async Task Update_is_validated_with_the_old_object_present()
    {
        var old = Event("nightly", """{"source":{"type":"cron","cron":"0 8 * * *"},"targets":[{"pipeline":"a"}]}""");
        var good = Event("nightly", """{"source":{"type":"cron","cron":"0 9 * * *"},"targets":[{"pipeline":"a"}]}""");
        var bad = Event("nightly", """{"source":{"type":"cron","cron":"0 25 * * *"},"targets":[{"pipeline":"a"}]}""");

        Assert.True((await _client.ValidateAsync(ApiServer.Review("UPDATE", good, old)))["allowed"]!.GetValue<bool>());
        var denied = await _client.ValidateAsync(ApiServer.Review("UPDATE", bad, old));
        Assert.False(denied["allowed"]!.GetValue<bool>());
        Assert.Equal("spec.source.cron", denied["status"]!["details"]!["causes"]![0]!["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_with_a_null_old_object_is_judged_without_one()
    {
        var suspended = Event("nightly", """{"source":{"type":"cron","cron":"0 8 * * *"},"targets":[{"pipeline":"a"}],"suspend":true}""");

        var withoutOld = await _client.ValidateAsync(ApiServer.Review("UPDATE", suspended, null));
        var withOld = await _client.ValidateAsync(ApiServer.Review("UPDATE", suspended, suspended.DeepClone()));

        Assert.True(withoutOld["allowed"]!.GetValue<bool>());
        Assert.Contains(withoutOld["warnings"]!.AsArray(), w => w!.GetValue<string>().StartsWith("spec.suspend", StringComparison.Ordinal));
        Assert.Null(withOld["warnings"]);
    }

    [Fact]
    public async Task Create_with_generate_name_and_empty_name_is_validated()
    {
        var obj = Event("x", """{"source":{"type":"webhook"},"targets":[{"pipeline":"a"}]}""");
        obj["metadata"]!.AsObject().Remove("name");
        obj["metadata"]!["generateName"] = "hook-";
        Assert.True((await _client.ValidateAsync(ApiServer.Review("CREATE", obj)))["allowed"]!.GetValue<bool>());

        obj["spec"]!["source"]!["type"] = "nope";
        var denied = await _client.ValidateAsync(ApiServer.Review("CREATE", obj));
        Assert.False(denied["allowed"]!.GetValue<bool>());
        Assert.Equal(string.Empty, denied["status"]!["details"]!["name"]!.GetValue<string>());
        Assert.StartsWith("The ArkEvent \"\" is invalid: spec.source.type: Unsupported value: \"nope\"", Kubectl.Render(denied, "ark.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Model_warnings_reach_response_warnings_whole()
    {
        // 02:30 does not exist on the spring daylight-saving day in Amsterdam.
        var obj = Event("early", """{"source":{"type":"cron","cron":"30 2 * * *","timezone":"Europe/Amsterdam"},"targets":[{"pipeline":"a"}],"suspend":true}""");

        var response = await _client.ValidateAsync(ApiServer.Review("CREATE", obj));

        Assert.True(response["allowed"]!.GetValue<bool>());
        var warnings = response["warnings"]!.AsArray().Select(w => w!.GetValue<string>()).ToList();
        Assert.Equal(2, warnings.Count);
        // Longer than the apiserver's 120-character advice, shorter than its 256-character cut: it must arrive whole.
        Assert.Contains(warnings, w => w.StartsWith("spec.source.cron: some times fall in the daylight-saving gap of Europe/Amsterdam", StringComparison.Ordinal)
                                       && w.EndsWith("on such days the event fires once right after the gap", StringComparison.Ordinal));
        Assert.StartsWith("Warning: ", Kubectl.Render(response, "ark.yaml"), StringComparison.Ordinal);
    }
}
