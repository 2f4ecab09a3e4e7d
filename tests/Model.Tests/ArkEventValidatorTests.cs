using Arkonis.Model.Resources;
using Arkonis.Model.Validation;

namespace Arkonis.Model.Tests;

public sealed class ArkEventValidatorTests
{
    public static TheoryData<string, ArkEvent, string[]> Cases => new()
    {
        { "valid webhook", Samples.Webhook(), [] },
        { "valid cron", Samples.Cron(), [] },
        { "valid cron macro", Samples.Cron("@hourly"), [] },
        { "valid cron in a zone", Samples.Cron("0 8 * * 1-5", "Europe/Berlin"), [] },
        { "valid flow-output", Samples.FlowOutput("research-flow", "after", "summary-flow", "report-flow"), [] },
        { "missing spec", Samples.Webhook().With(e => e.Spec = null!), ["spec: Required value"] },
        { "missing name", Samples.Webhook().With(e => e.Metadata.Name = null), ["metadata.name: Required value: name or generateName is required"] },
        { "generateName instead of name", Samples.Webhook().With(e => { e.Metadata.Name = null; e.Metadata.GenerateName = "hook-"; }), [] },
        { "name not a label", Samples.Webhook("My.Hook"), [$"metadata.name: Invalid value: \"My.Hook\": {LabelMessage}"] },
        { "name too long for a label value", Samples.Webhook(new string('a', 64)), [$"metadata.name: Invalid value: \"{new string('a', 64)}\": must be no more than 63 characters"] },
        { "missing source", Samples.Webhook().With(e => e.Spec.Source = null), ["spec.source: Required value"] },
        { "missing type", Samples.Webhook().With(e => e.Spec.Source!.Type = null), ["spec.source.type: Required value"] },
        { "unknown type", Samples.Webhook().With(e => e.Spec.Source!.Type = "pipeline-output"), ["spec.source.type: Unsupported value: \"pipeline-output\": supported values: \"webhook\", \"cron\", \"flow-output\""] },
        { "cron missing", Samples.Cron().With(e => e.Spec.Source!.Cron = null), ["spec.source.cron: Required value: a cron event needs a schedule such as \"0 8 * * *\""] },
        { "cron out of range", Samples.Cron("61 * * * *"), ["spec.source.cron: Invalid value: \"61 * * * *\": Minutes: Value must be a number between 0 and 59 (all inclusive)"] },
        { "cron with seconds", Samples.Cron("0 0 8 * * *"), ["spec.source.cron: Invalid value: \"0 0 8 * * *\": expected exactly 5 fields (minute hour day-of-month month day-of-week), found 6: seconds are not supported; a time zone goes in spec.source.timezone"] },
        { "cron with CRON_TZ prefix", Samples.Cron("CRON_TZ=Europe/Berlin 0 8 * * *"), ["spec.source.cron: Invalid value: \"CRON_TZ=Europe/Berlin 0 8 * * *\": a time zone prefix is not supported; set spec.source.timezone instead"] },
        { "cron with @every", Samples.Cron("@every 5m"), ["spec.source.cron: Invalid value: \"@every 5m\": @every is not supported; use a 5-field expression such as \"*/5 * * * *\""] },
        { "cron with H", Samples.Cron("H 8 * * *"), ["spec.source.cron: Invalid value: \"H 8 * * *\": H (a hashed value) is not supported, as in Kubernetes CronJobs; use a number such as \"0 8 * * *\""] },
        { "cron that never fires", Samples.Cron("0 0 30 2 *"), ["spec.source.cron: Invalid value: \"0 0 30 2 *\": the expression can never fire (no such date, e.g. February 30)"] },
        { "cron too long", Samples.Cron(new string('1', 300)), ["spec.source.cron: Too long: may not be more than 256 bytes"] },
        { "cron on a webhook", Samples.Webhook().With(e => e.Spec.Source!.Cron = "* * * * *"), ["spec.source.cron: Forbidden: may only be set when type is \"cron\""] },
        { "unknown time zone", Samples.Cron(timezone: "Mars/Olympus"), ["spec.source.timezone: Invalid value: \"Mars/Olympus\": unknown time zone; use an IANA name such as \"Europe/Berlin\""] },
        { "Windows time zone id", Samples.Cron(timezone: "W. Europe Standard Time"), ["spec.source.timezone: Invalid value: \"W. Europe Standard Time\": a Windows time zone id; use the IANA name \"Europe/Berlin\""] },
        { "time zone on a webhook", Samples.Webhook().With(e => e.Spec.Source!.Timezone = "UTC"), ["spec.source.timezone: Forbidden: may only be set when type is \"cron\""] },
        { "flow missing", Samples.FlowOutput("x").With(e => e.Spec.Source!.Flow = null), ["spec.source.flow: Required value: a flow-output event needs the upstream flow to watch"] },
        { "flow not an object name", Samples.FlowOutput("Research_Flow"), [$"spec.source.flow: Invalid value: \"Research_Flow\": {SubdomainMessage}"] },
        { "flow on a cron event", Samples.Cron().With(e => e.Spec.Source!.Flow = "x"), ["spec.source.flow: Forbidden: may only be set when type is \"flow-output\""] },
        { "onPhase unknown", Samples.FlowOutput("x").With(e => e.Spec.Source!.OnPhase = "Running"), ["spec.source.onPhase: Unsupported value: \"Running\": supported values: \"Succeeded\", \"Failed\""] },
        { "onPhase on a webhook", Samples.Webhook().With(e => e.Spec.Source!.OnPhase = "Failed"), ["spec.source.onPhase: Forbidden: may only be set when type is \"flow-output\""] },
        { "targets missing", Samples.Webhook().With(e => e.Spec.Targets = null), ["spec.targets: Required value: at least one target pipeline is required"] },
        { "targets empty", Samples.Webhook().With(e => e.Spec.Targets = []), ["spec.targets: Required value: at least one target pipeline is required"] },
        { "too many targets", Samples.Webhook("hook", Enumerable.Range(0, 51).Select(i => $"f{i}").ToArray()), ["spec.targets: Too many: 51: must have at most 50 items"] },
        { "pipeline missing", Samples.Webhook().With(e => e.Spec.Targets![0].Pipeline = ""), ["spec.targets[0].pipeline: Required value"] },
        { "pipeline duplicate", Samples.Webhook("hook", "a", "b", "a"), ["spec.targets[2].pipeline: Duplicate value: \"a\""] },
        { "pipeline not a label", Samples.Webhook("hook", "a", "My_Flow"), [$"spec.targets[1].pipeline: Invalid value: \"My_Flow\": {LabelMessage}"] },
        {
            "problems of several targets",
            Samples.Webhook("hook", "a", "a", "B", "").With(e => e.Spec.Targets!.Insert(1, null!)),
            ["spec.targets[1]: Required value", "spec.targets[2].pipeline: Duplicate value: \"a\"", $"spec.targets[3].pipeline: Invalid value: \"B\": {LabelMessage}", "spec.targets[4].pipeline: Required value"]
        },
        { "flow-output targets its own flow", Samples.FlowOutput("loop", "after", "loop"), ["spec.targets[0].pipeline: Forbidden: targets the event's own source flow \"loop\": every run would fire the event again (endless loop)"] },
        { "input template unclosed", WithInput(Samples.Webhook(), "topic", "{{ .trigger.body.topic"), ["spec.targets[0].input[topic]: Invalid value: \"{{ .trigger.body.topic\": unclosed action: \"{{\" at offset 0 has no matching \"}}\""] },
        { "input template unknown variable", WithInput(Samples.Webhook(), "who", "{{ .trigger.user }}"), ["spec.targets[0].input[who]: Invalid value: \"{{ .trigger.user }}\": unknown variable \".trigger.user\"; supported are .trigger.name, .trigger.namespace, .trigger.firedAt, .trigger.body[.<path>] (webhook), .trigger.output[.<path>] (flow-output)"] },
        { "input body in a cron event", WithInput(Samples.Cron(), "topic", "{{ .trigger.body.topic }}"), ["spec.targets[0].input[topic]: Invalid value: \"{{ .trigger.body.topic }}\": .trigger.body.topic is only available when type is \"webhook\"; for \"cron\" it would always be empty"] },
        { "input output in a webhook event", WithInput(Samples.Webhook(), "prev", "{{ .trigger.output }}"), ["spec.targets[0].input[prev]: Invalid value: \"{{ .trigger.output }}\": .trigger.output is only available when type is \"flow-output\"; for \"webhook\" it would always be empty"] },
        { "input key invalid", WithInput(Samples.Webhook(), "my key", "x"), ["spec.targets[0].input[my key]: Invalid value: \"my key\": an input key must start with a letter or '_' and contain only letters, digits, '_' or '-'"] },
        { "input value null", WithInput(Samples.Webhook(), "a", null!), ["spec.targets[0].input[a]: Required value: use \"\" for an empty value"] },
        { "input with too many keys", Samples.Webhook().With(e => e.Spec.Targets![0].Input = Enumerable.Range(0, 65).ToDictionary(i => $"k{i}", _ => "x")), ["spec.targets[0].input: Too many: 65: must have at most 64 items"] },
        { "input value too long", WithInput(Samples.Webhook(), "big", new string('x', 5000)), ["spec.targets[0].input[big]: Too long: may not be more than 4096 bytes"] },
        { "input templates of each type", WithInput(Samples.FlowOutput("up"), "summary", "{{ .trigger.name }}@{{ .trigger.namespace }} {{ .trigger.firedAt }}: {{ .trigger.output.text }}"), [] },
        { "concurrency policy unknown", Samples.Webhook().With(e => e.Spec.ConcurrencyPolicy = "Queue"), ["spec.concurrencyPolicy: Unsupported value: \"Queue\": supported values: \"Allow\", \"Forbid\", \"Replace\""] },
        { "starting deadline negative", Samples.Cron().With(e => e.Spec.StartingDeadlineSeconds = -1), ["spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0"] },
        { "starting deadline on a webhook", Samples.Webhook().With(e => e.Spec.StartingDeadlineSeconds = 60), ["spec.startingDeadlineSeconds: Forbidden: may only be set when type is \"cron\""] },
        { "history limits negative", Samples.Webhook().With(e => { e.Spec.SuccessfulRunsHistoryLimit = -1; e.Spec.FailedRunsHistoryLimit = -2; }), ["spec.successfulRunsHistoryLimit: Invalid value: -1: must be greater than or equal to 0", "spec.failedRunsHistoryLimit: Invalid value: -2: must be greater than or equal to 0"] },
        { "no metadata at all", Samples.Webhook().With(e => e.Metadata = null!), ["metadata.name: Required value: name or generateName is required"] },
        { "name neither short nor a label", Samples.Webhook(new string('A', 64)), [$"metadata.name: Invalid value: \"{new string('A', 64)}\": must be no more than 63 characters", $"metadata.name: Invalid value: \"{new string('A', 64)}\": {LabelMessage}"] },
        { "generateName too long", Samples.Webhook().With(e => { e.Metadata.Name = null; e.Metadata.GenerateName = new string('g', 59); }), [$"metadata.generateName: Invalid value: \"{new string('g', 59)}\": must be no more than 58 characters"] },
        { "generateName not a label prefix", Samples.Webhook().With(e => { e.Metadata.Name = null; e.Metadata.GenerateName = "Hook-"; }), [$"metadata.generateName: Invalid value: \"Hook-\": {LabelMessage}"] },
        { "unknown type hides the type-dependent rules", Samples.Webhook().With(e => { e.Spec.Source!.Type = "queue"; e.Spec.Source.Cron = "x"; e.Spec.Source.Flow = "y"; e.Spec.StartingDeadlineSeconds = 5; }), ["spec.source.type: Unsupported value: \"queue\": supported values: \"webhook\", \"cron\", \"flow-output\""] },
        { "flow too long for an object name", Samples.FlowOutput(new string('f', 254)), ["spec.source.flow: Invalid value: \"" + new string('f', 254) + "\": must be no more than 253 characters"] },
        { "onPhase Failed", Samples.FlowOutput("up").With(e => e.Spec.Source!.OnPhase = "Failed"), [] },
        { "starting deadline zero on a cron event", Samples.Cron().With(e => e.Spec.StartingDeadlineSeconds = 0), [] },
        { "too many targets, and a bad one among them", Samples.Webhook("hook", [.. Enumerable.Range(0, 50).Select(i => $"f{i}"), "F"]), ["spec.targets: Too many: 51: must have at most 50 items", $"spec.targets[50].pipeline: Invalid value: \"F\": {LabelMessage}"] },
        { "pipeline with a trailing newline", Samples.Webhook("hook", "flow\n"), [$"spec.targets[0].pipeline: Invalid value: \"flow\\n\": {LabelMessage}"] },
        { "flow with a trailing newline", Samples.FlowOutput("up\n"), [$"spec.source.flow: Invalid value: \"up\\n\": {SubdomainMessage}"] },
        { "input key with a trailing newline", WithInput(Samples.Webhook(), "topic\n", "x"), ["spec.targets[0].input[topic\n]: Invalid value: \"topic\\n\": an input key must start with a letter or '_' and contain only letters, digits, '_' or '-'"] },
        { "input key too long", WithInput(Samples.Webhook(), new string('k', 129), "x"), [$"spec.targets[0].input[{new string('k', 129)}]: Invalid value: \"{new string('k', 129)}\": must be no more than 128 characters"] },
        { "input key and value both bad", WithInput(Samples.Webhook(), "1st", "{{"), ["spec.targets[0].input[1st]: Invalid value: \"1st\": an input key must start with a letter or '_' and contain only letters, digits, '_' or '-'", "spec.targets[0].input[1st]: Invalid value: \"{{\": unclosed action: \"{{\" at offset 0 has no matching \"}}\""] },
        {
            "each unavailable variable of one value",
            WithInput(Samples.Cron(), "both", "{{ .trigger.body.a }} {{ .trigger.output }}"),
            [
                "spec.targets[0].input[both]: Invalid value: \"{{ .trigger.body.a }} {{ .trigger.output }}\": .trigger.body.a is only available when type is \"webhook\"; for \"cron\" it would always be empty",
                "spec.targets[0].input[both]: Invalid value: \"{{ .trigger.body.a }} {{ .trigger.output }}\": .trigger.output is only available when type is \"flow-output\"; for \"cron\" it would always be empty",
            ]
        },
        { "a value with FluentValidation placeholders is quoted verbatim", WithInput(Samples.Cron(), "p", "{PropertyName} {{ .trigger.body }}"), ["spec.targets[0].input[p]: Invalid value: \"{PropertyName} {{ .trigger.body }}\": .trigger.body is only available when type is \"webhook\"; for \"cron\" it would always be empty"] },
        {
            "every problem at once",
            Samples.Cron("61 * * * *", "Nowhere/Land").With(e => { e.Spec.Source!.Flow = "x"; e.Spec.Targets = null; e.Spec.ConcurrencyPolicy = "Never"; }),
            [
                "spec.source.timezone: Invalid value: \"Nowhere/Land\": unknown time zone; use an IANA name such as \"Europe/Berlin\"",
                "spec.source.cron: Invalid value: \"61 * * * *\": Minutes: Value must be a number between 0 and 59 (all inclusive)",
                "spec.source.flow: Forbidden: may only be set when type is \"flow-output\"",
                "spec.targets: Required value: at least one target pipeline is required",
                "spec.concurrencyPolicy: Unsupported value: \"Never\": supported values: \"Allow\", \"Forbid\", \"Replace\"",
            ]
        },
    };

    private const string LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_exactly_the_expected_problems(string name, ArkEvent arkEvent, string[] expected)
    {
        var result = Samples.Validator.Check(arkEvent);

        Assert.True(expected.ToHashSet().SetEquals(result.Problems.Select(p => p.ToString())),
            $"{name}: expected [{string.Join(" | ", expected)}] but got [{string.Join(" | ", result.Problems)}]");
        Assert.Equal(expected.Length == 0, result.IsValid);
        Assert.All(result.Problems, p => Assert.StartsWith(BodyOf[p.Reason], p.Message, StringComparison.Ordinal));
    }

    // Every error carries one of Kubernetes' reasons, and its text starts the way that reason's text does.
    private static readonly Dictionary<string, string> BodyOf = new()
    {
        [FieldReasons.Required] = "Required value",
        [FieldReasons.Invalid] = "Invalid value: ",
        [FieldReasons.NotSupported] = "Unsupported value: ",
        [FieldReasons.Duplicate] = "Duplicate value: ",
        [FieldReasons.Forbidden] = "Forbidden: ",
        [FieldReasons.TooMany] = "Too many: ",
        [FieldReasons.TooLong] = "Too long: ",
    };

    private static ArkEvent WithInput(ArkEvent ev, string key, string template) =>
        ev.With(e => e.Spec.Targets![0].Input = new Dictionary<string, string> { [key] = template });
}
