using System.Text.Json.Nodes;

namespace Arkonis.Model.Templates;

/// <summary>What a target's <c>input</c> templates can read: <c>.trigger.name</c>, <c>.trigger.namespace</c>,
/// <c>.trigger.firedAt</c>, <c>.trigger.body</c> (webhook) and <c>.trigger.output</c> (flow-output).</summary>
/// <param name="Name">The ArkEvent's name.</param>
/// <param name="Namespace">The ArkEvent's namespace.</param>
/// <param name="FiredAt">When the event fired (for cron: the scheduled time).</param>
/// <param name="Body">webhook: the JSON body; otherwise null.</param>
/// <param name="Output">flow-output: the upstream flow's output; otherwise null.</param>
public sealed record TemplateContext(string Name, string Namespace, DateTimeOffset FiredAt, JsonNode? Body, JsonNode? Output);
