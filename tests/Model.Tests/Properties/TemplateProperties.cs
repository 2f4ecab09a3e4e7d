using System.Text.Json.Nodes;
using Arkonis.Model.Templates;
using Arkonis.Tests.Shared;
using CsCheck;

namespace Arkonis.Model.Tests.Properties;

/// <summary>
/// The template parser and renderer under hostile templates and payloads: parsing never throws (it refuses with a
/// message), rendering never throws, is deterministic, and text without an action renders as itself.
/// </summary>
public sealed class TemplateProperties
{
    private const long Cases = 5_000;

    private static readonly Gen<string> TemplateText = HostileInput.Text(
        14, "{{", "}}", "{{ ", " }}", "{{-", "-}}", ".trigger", ".trigger.", ".body", ".output", ".name", ".namespace", ".firedAt",
        ".topic", ".items", ".0", "[0]", ".a.b.c", " ", "|", "\"", "{{{", "}}}", "{", "}", "$", "printf", "x");

    /// <summary>Literal text around actions that are valid, nearly valid or nonsense.</summary>
    private static readonly Gen<string> Structured = Gen.Select(
            HostileInput.Text(3, "x", " ", "-", "\"", "{", "}"),
            Gen.OneOf("{{", "{{ ", "{{-", "{{  "),
            Gen.Frequency(
                (4, Gen.OneOf(".trigger.name", ".trigger.namespace", ".trigger.firedAt", ".trigger.body", ".trigger.output", ".trigger.body.topic", ".trigger.body.a.b", ".trigger.output.items")),
                (2, Gen.OneOf(".trigger.bdy", ".trigger", "trigger.name", ".trigger.body.", ".trigger.body..a", ".trigger.body.0", ".trigger.body.a b", ".Trigger.name", "")),
                (1, HostileInput.Text(4, ".", "trigger", "body", "a"))),
            Gen.OneOf("}}", " }}", "-}}", "  }}", "}"))
        .Select((literal, open, variable, close) => literal + open + variable + close)
        .Array[1, 4]
        .Select(parts => string.Concat(parts));

    private static readonly Gen<TemplateContext> Context = Gen.Select(HostileInput.Json(4), HostileInput.Json(4), HostileInput.Text(4, "a", "-", "ns"), Gen.Long[0, DateTimeOffset.MaxValue.Ticks])
        .Select((body, output, name, ticks) => new TemplateContext(name, name, new DateTimeOffset(ticks, TimeSpan.Zero), body, output));

    [Fact]
    public void Parsing_and_rendering_never_throw_and_are_deterministic()
    {
        var withActions = 0;
        Gen.Select(Gen.Frequency((1, TemplateText), (1, Structured)), Context).Sample((text, context) =>
        {
            if (!Template.TryParse(text, out var template, out var error))
            {
                Assert.False(string.IsNullOrWhiteSpace(error));
                return;
            }

            if (template.Variables.Count > 0)
            {
                Interlocked.Increment(ref withActions);
            }

            var once = template.Render(context);
            Assert.Equal(once, template.Render(context));
            if (!text.Contains("{{", StringComparison.Ordinal))
            {
                Assert.Equal(text, once);
            }
        }, iter: Cases);

        Assert.InRange(withActions, Cases / 50, Cases);
    }

    [Fact]
    public void A_body_path_renders_what_the_body_holds_there()
    {
        var segment = Gen.OneOf("topic", "a", "b", "items", "x1");
        Gen.Select(segment.Array[1, 4], HostileInput.Json(2)).Sample((path, leaf) =>
        {
            JsonNode? body = leaf?.DeepClone();
            for (var i = path.Length - 1; i >= 0; i--)
            {
                body = new JsonObject { [path[i]] = body };
            }

            Assert.True(Template.TryParse("{{ .trigger.body." + string.Join('.', path) + " }}", out var template, out var error), error);
            var rendered = template.Render(new TemplateContext("n", "ns", DateTimeOffset.UnixEpoch, body, null));
            var expected = leaf switch
            {
                null => string.Empty,
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                _ => null,
            };
            if (expected is not null)
            {
                Assert.Equal(expected, rendered);
            }
        }, iter: Cases);
    }
}
