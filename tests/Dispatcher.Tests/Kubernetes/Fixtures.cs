using System.Text.Json.Nodes;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>ArkEvent and ArkFlow objects as they would be applied with kubectl.</summary>
public static class Fixtures
{
    public static JsonObject Webhook(string name, string ns = "team-a", params string[] pipelines) =>
        Event(name, ns, new JsonObject { ["type"] = "webhook" }, pipelines);

    public static JsonObject Cron(string name, string cron, string ns = "team-a") =>
        Event(name, ns, new JsonObject { ["type"] = "cron", ["cron"] = cron });

    public static JsonObject FlowOutput(string name, string flow, string ns = "team-a") =>
        Event(name, ns, new JsonObject { ["type"] = "flow-output", ["flow"] = flow }, "summary-flow");

    public static JsonObject Event(string name, string ns, JsonObject source, params string[] pipelines)
    {
        var targets = new JsonArray();
        foreach (var pipeline in pipelines.Length == 0 ? ["research-flow"] : pipelines)
        {
            targets.Add(new JsonObject { ["pipeline"] = pipeline });
        }
        return new JsonObject
        {
            ["apiVersion"] = "arkonis.dev/v1alpha1",
            ["kind"] = "ArkEvent",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = new JsonObject { ["source"] = source, ["targets"] = targets },
        };
    }

    public static JsonObject FlowTemplate(string name, string ns = "team-a") => new()
    {
        ["apiVersion"] = "arkonis.dev/v1alpha1",
        ["kind"] = "ArkFlow",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = new JsonObject { ["team"] = "research" } },
        ["spec"] = new JsonObject
        {
            ["steps"] = new JsonArray(new JsonObject { ["name"] = "search", ["arkAgent"] = "searcher", ["inputs"] = new JsonObject { ["q"] = "{{ .pipeline.input.topic }}" } }),
            ["input"] = new JsonObject { ["topic"] = "default topic", ["depth"] = "2" },
            ["output"] = "{{ .steps.search.output }}",
            ["timeoutSeconds"] = 600,
        },
    };
}
