namespace Arkonis.Dispatcher.Tests.Harness;

/// <summary>The ArkEvents the end-to-end tests fire (namespace <c>default</c>).</summary>
public static class TestEvents
{
    public static readonly IReadOnlyList<string> Names = ["hello", "fanout", "nightly", "paused", "broken", "limited", "down", "exclusive"];

    public static IReadOnlyDictionary<string, string> All => new Dictionary<string, string>
    {
        ["hello.yaml"] = Webhook("hello", "  targets:\n    - pipeline: echo\n"),
        ["fanout.yaml"] = Webhook("fanout", """
              targets:
                - pipeline: alpha
                  input:
                    _delayMs: "{{ .trigger.body.alpha }}"
                    _fail: "{{ .trigger.body.failAlpha }}"
                    topic: "{{ .trigger.body.topic }}"
                - pipeline: beta
                  input:
                    _delayMs: "{{ .trigger.body.beta }}"
                    _fail: "{{ .trigger.body.failBeta }}"
                - pipeline: gamma
                  input:
                    _delayMs: "{{ .trigger.body.gamma }}"

            """),
        ["nightly.yaml"] = """
            apiVersion: arkonis.dev/v1alpha1
            kind: ArkEvent
            metadata: { name: nightly, namespace: default }
            spec:
              source: { type: cron, cron: "0 3 * * *" }
              targets:
                - pipeline: echo
            """,
        ["paused.yaml"] = Webhook("paused", "  suspend: true\n  targets:\n    - pipeline: echo\n"),
        ["broken.yaml"] = Webhook("broken", "  targets: []\n"),
        ["limited.yaml"] = Webhook("limited", "  targets:\n    - pipeline: echo\n"),
        ["down.yaml"] = Webhook("down", "  targets:\n    - pipeline: echo\n"),
        ["exclusive.yaml"] = Webhook("exclusive", "  concurrencyPolicy: Forbid\n  targets:\n    - pipeline: echo\n"),
        ["not-yaml.yaml"] = "this: is: not: [valid yaml",
    };

    private static string Webhook(string name, string specRest) => $"""
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata:
          name: {name}
          namespace: default
        spec:
          source:
            type: webhook

        """ + specRest;
}
