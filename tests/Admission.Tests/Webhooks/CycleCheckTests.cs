using System.Diagnostics;
using System.Text.Json.Nodes;
using Arkonis.Admission.Tests.Support;
using Arkonis.Model.Resources;
using k8s;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace Arkonis.Admission.Tests.Webhooks;

/// <summary>The cross-object check: loops through other flow-output events, and what happens when the API server cannot tell.</summary>
public sealed class CycleCheckTests : IDisposable
{
    private readonly ShortDeadlineApp _app = new();
    private readonly AdmissionClient _client;

    public CycleCheckTests() => _client = new AdmissionClient(_app.CreateClient());

    public sealed class ShortDeadlineApp() : AdmissionApp(new() { ["Admission:CycleCheckTimeout"] = "00:00:00.200" });

    private static JsonObject FlowOutput(string name, string flow, params string[] targets) => ApiServer.AsStored(new JsonObject
    {
        ["apiVersion"] = "arkonis.dev/v1alpha1",
        ["kind"] = "ArkEvent",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["source"] = new JsonObject { ["type"] = "flow-output", ["flow"] = flow },
            ["targets"] = new JsonArray(targets.Select(t => (JsonNode)new JsonObject { ["pipeline"] = t }).ToArray()),
        },
    });

    private static ArkEvent Stored(JsonObject obj) => KubernetesJson.Deserialize<ArkEvent>(obj.ToJsonString());

    [Fact]
    public async Task Event_closing_a_loop_through_another_event_is_refused_naming_the_loop()
    {
        // a: after x fires y. The candidate b: after y fires x.
        _app.Lister.ListAsync("ai-team", Arg.Any<CancellationToken>()).Returns([Stored(FlowOutput("a", "x", "y"))]);

        var response = await _client.ValidateAsync(ApiServer.Review("CREATE", FlowOutput("b", "y", "x")));

        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal(
            "The ArkEvent \"b\" is invalid: spec.source.flow: Forbidden: would start an endless loop of flow-output events: b: after flow y fires x; a: after flow x fires y\n",
            Kubectl.Render(response, "b.yaml"));
        Assert.Contains("arkevent_admission_cycle_checks_total{outcome=\"loop\"} 1\n", await Metrics(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_input_template_is_reported_together_with_the_loop()
    {
        _app.Lister.ListAsync("ai-team", Arg.Any<CancellationToken>()).Returns([Stored(FlowOutput("a", "x", "y"))]);
        var candidate = FlowOutput("b", "y", "x");
        candidate["spec"]!["targets"]![0]!["input"] = new JsonObject { ["who"] = "{{ .trigger.user }}" };

        var response = await _client.ValidateAsync(ApiServer.Review("CREATE", candidate));

        Assert.False(response["allowed"]!.GetValue<bool>());
        var fields = response["status"]!["details"]!["causes"]!.AsArray().Select(c => c!["field"]!.GetValue<string>());
        Assert.Equal(["spec.targets[0].input[who]", "spec.source.flow"], fields);
    }

    private Task<string> Metrics() => _app.CreateClient().GetStringAsync("/metrics");

    [Fact]
    public async Task Update_ignores_the_stored_copy_of_the_same_event()
    {
        // The stored b (after x fires y) would loop with the new b (after y fires x), but the new one replaces it.
        _app.Lister.ListAsync("ai-team", Arg.Any<CancellationToken>()).Returns([Stored(FlowOutput("b", "x", "y"))]);

        var response = await _client.ValidateAsync(ApiServer.Review("UPDATE", FlowOutput("b", "y", "x"), FlowOutput("b", "x", "y")));

        Assert.True(response["allowed"]!.GetValue<bool>(), response.ToJsonString());
    }

    [Fact]
    public async Task Unreachable_api_server_allows_with_a_warning()
    {
        _app.Lister.ListAsync("ai-team", Arg.Any<CancellationToken>()).ThrowsAsync(new HttpRequestException("Connection refused (kubernetes.default.svc:443)"));

        var response = await _client.ValidateAsync(ApiServer.Review("CREATE", FlowOutput("b", "y", "x")));

        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.Equal(
            "could not check for flow-output cycles: Connection refused (kubernetes.default.svc:443)",
            Assert.Single(response["warnings"]!.AsArray())!.GetValue<string>());
    }

    [Fact]
    public async Task Api_server_that_never_answers_is_given_up_on_after_the_deadline()
    {
        var never = new TaskCompletionSource<IReadOnlyList<ArkEvent>>();
        _app.Lister.ListAsync("ai-team", Arg.Any<CancellationToken>()).Returns(never.Task);

        var watch = Stopwatch.StartNew();
        var response = await _client.ValidateAsync(ApiServer.Review("CREATE", FlowOutput("b", "y", "x")));

        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.Equal(
            "could not check for flow-output cycles: the API server did not answer within 0.2s",
            Assert.Single(response["warnings"]!.AsArray())!.GetValue<string>());
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(3));
        Assert.Contains("arkevent_admission_cycle_checks_total{outcome=\"timeout\"} 1\n", await Metrics(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_sound_flow_output_events_ask_the_api_server()
    {
        var webhook = FlowOutput("w", "x", "y");
        webhook["spec"]!["source"] = new JsonObject { ["type"] = "webhook" };
        await _client.ValidateAsync(ApiServer.Review("CREATE", webhook));
        await _client.ValidateAsync(ApiServer.Review("CREATE", FlowOutput("bad", "x", "Not_A_Name")));
        await _client.ValidateAsync(ApiServer.Review("DELETE", null, FlowOutput("b", "y", "x")));

        await _app.Lister.DidNotReceiveWithAnyArgs().ListAsync(default!, default);
    }

    public void Dispose() => _app.Dispose();
}
