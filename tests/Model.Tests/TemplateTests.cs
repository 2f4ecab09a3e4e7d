using System.Text.Json.Nodes;
using Arkonis.Model.Resources;
using Arkonis.Model.Templates;

namespace Arkonis.Model.Tests;

public sealed class TemplateTests
{
    private static readonly DateTimeOffset FiredAt = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static TemplateContext Webhook(string body) => new("hook", "ai-team", FiredAt, JsonNode.Parse(body), null);

    private static string Render(string text, TemplateContext context)
    {
        Assert.True(Template.TryParse(text, out var template, out var error), error);
        return template.Render(context);
    }

    [Theory]
    [InlineData("{{ .trigger.body.topic }}", "AI safety")]
    [InlineData("{{.trigger.body.topic}}", "AI safety")]
    [InlineData("Topic: {{ .trigger.body.topic }}!", "Topic: AI safety!")]
    [InlineData("{{ .trigger.body.count }}", "3")]
    [InlineData("{{ .trigger.body.flag }}", "true")]
    [InlineData("{{ .trigger.body.tags }}", "[\"a\",\"b\"]")]
    [InlineData("{{ .trigger.body.tags.1 }}", "b")]
    [InlineData("{{ .trigger.body.user }}", "{\"name\":\"Jürgen\"}")]
    [InlineData("{{ .trigger.body.user.name }}", "Jürgen")]
    [InlineData("[{{ .trigger.body.missing }}]", "[]")]
    [InlineData("[{{ .trigger.body.nothing }}]", "[]")]
    [InlineData("{{ .trigger.name }}/{{ .trigger.namespace }} at {{ .trigger.firedAt }}", "hook/ai-team at 2026-03-01T08:00:00Z")]
    [InlineData("a  {{- .trigger.name -}}  b", "ahookb")]
    [InlineData("a\n{{-\n.trigger.name\n-}}\nb", "ahookb")]
    [InlineData("a {{-\t.trigger.name\t-}} b", "ahookb")]
    [InlineData("no actions at all", "no actions at all")]
    public void Renders_values(string text, string expected)
    {
        var context = Webhook("""{"topic":"AI safety","count":3,"flag":true,"tags":["a","b"],"user":{"name":"Jürgen"},"nothing":null}""");
        Assert.Equal(expected, Render(text, context));
    }

    [Fact]
    public void Missing_body_renders_empty_never_a_placeholder()
    {
        var context = new TemplateContext("e", "ns", FiredAt, null, null);
        Assert.Equal("x=", Render("x={{ .trigger.body.topic }}", context));
        Assert.Equal("", Render("{{ .trigger.output }}", context));
    }

    [Theory]
    [InlineData("{{ .trigger.body.topic", "unclosed")]
    [InlineData("{{ }}", "empty")]
    [InlineData("{{ .trigger.secret }}", "unknown variable \".trigger.secret\"")]
    [InlineData("{{ .pipeline.input.x }}", "unknown variable")]
    [InlineData("{{ .trigger.name.first }}", "unknown variable")]
    [InlineData("{{ printf \"%s\" .trigger.name }}", "only a variable is allowed")]
    [InlineData("{{ .trigger.body | upper }}", "only a variable is allowed")]
    [InlineData("{{ .trigger..x }}", "not a valid variable")]
    public void Refuses_bad_templates(string text, string hint)
    {
        Assert.False(Template.TryParse(text, out _, out var error));
        Assert.Contains(hint, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_point_at_a_later_action()
    {
        Assert.False(Template.TryParse("Hello {{ .trigger.name }}, {{ .trigger.nope }}", out _, out var error));
        Assert.EndsWith("(action at offset 27)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Lists_the_variables_it_reads()
    {
        Assert.True(Template.TryParse("{{ .trigger.body.a.b }} {{ .trigger.output }}", out var template, out _));
        Assert.Equal([TriggerField.Body, TriggerField.Output], template.Variables.Select(v => v.Field));
        Assert.Equal(["a", "b"], template.Variables[0].Path);
    }

    [Fact]
    public void Target_input_renders_a_mapping_as_strings()
    {
        var target = new EventTarget { Pipeline = "p", Input = new Dictionary<string, string> { ["topic"] = "{{ .trigger.body.topic }}", ["n"] = "{{ .trigger.body.count }}" } };
        var input = TargetInput.Build(target, Webhook("""{"topic":"x","count":3}"""));
        Assert.Equal("""{"topic":"x","n":"3"}""", input.ToJsonString());
    }

    [Fact]
    public void Target_input_without_mapping_is_the_webhook_body_as_is()
    {
        var context = Webhook("""{"topic":"x","nested":{"a":1}}""");
        var input = TargetInput.Build(new EventTarget { Pipeline = "p" }, context);
        Assert.Equal("""{"topic":"x","nested":{"a":1}}""", input.ToJsonString());
        input["topic"] = "changed";
        Assert.Equal("x", context.Body!["topic"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"summary":"done"}""", """{"summary":"done"}""")]
    [InlineData("\"plain text\"", """{"output":"plain text"}""")]
    [InlineData("[1,2]", """{"output":[1,2]}""")]
    public void Target_input_without_mapping_for_flow_output(string output, string expected)
    {
        var context = new TemplateContext("e", "ns", FiredAt, null, JsonNode.Parse(output));
        Assert.Equal(expected, TargetInput.Build(new EventTarget { Pipeline = "p" }, context).ToJsonString());
    }

    [Fact]
    public void Target_input_for_cron_without_mapping_is_empty()
    {
        var context = new TemplateContext("e", "ns", FiredAt, null, null);
        Assert.Empty(TargetInput.Build(new EventTarget { Pipeline = "p" }, context));
    }

    [Fact]
    public void String_map_turns_nested_values_into_json_text()
    {
        var map = TargetInput.ToStringMap(JsonNode.Parse("""{"s":"x","n":1,"o":{"a":[1]},"z":null}""")!.AsObject());
        Assert.Equal(new Dictionary<string, string> { ["s"] = "x", ["n"] = "1", ["o"] = """{"a":[1]}""", ["z"] = "" }, map);
    }
}
