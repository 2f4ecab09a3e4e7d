using System.Text;
using System.Text.Json.Nodes;
using Arkonis.Model.Json;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;

namespace Arkonis.Model.Tests;

public sealed class JsonPatchDiffTests
{
    public static TheoryData<string, string, string, string> Cases => new()
    {
        { "unchanged", """{"a":1}""", """{"a":1}""", "[]" },
        { "replace a scalar", """{"a":1}""", """{"a":2}""", """[{"op":"replace","path":"/a","value":2}]""" },
        { "add a missing member whole", """{"a":1}""", """{"a":1,"b":{"c":{"d":true}}}""", """[{"op":"add","path":"/b","value":{"c":{"d":true}}}]""" },
        { "remove a member", """{"a":1,"b":2}""", """{"a":1}""", """[{"op":"remove","path":"/b"}]""" },
        { "replace under escaped keys", """{"m":{"x/y":1,"t~z":1}}""", """{"m":{"x/y":2,"t~z":3}}""", """[{"op":"replace","path":"/m/x~1y","value":2},{"op":"replace","path":"/m/t~0z","value":3}]""" },
        { "add and remove escaped keys", """{"labels":{"a/b":"1"}}""", """{"labels":{"c~d":"2"}}""", """[{"op":"remove","path":"/labels/a~1b"},{"op":"add","path":"/labels/c~0d","value":"2"}]""" },
        { "an escaped-looking key stays literal", """{"m":{}}""", """{"m":{"a~1b":1}}""", """[{"op":"add","path":"/m/a~01b","value":1}]""" },
        { "nested change inside an array element", """{"l":[{"p":"a"},{"p":"b"}]}""", """{"l":[{"p":"a","q":1},{"p":"b"}]}""", """[{"op":"add","path":"/l/0/q","value":1}]""" },
        { "deeply nested replace and remove", """{"a":{"b":{"c":1,"d":2}}}""", """{"a":{"b":{"c":3}}}""", """[{"op":"replace","path":"/a/b/c","value":3},{"op":"remove","path":"/a/b/d"}]""" },
        { "array grows at the end", """{"l":[1]}""", """{"l":[1,2,3]}""", """[{"op":"add","path":"/l/1","value":2},{"op":"add","path":"/l/2","value":3}]""" },
        { "array shrinks from the end", """{"l":[1,2,3]}""", """{"l":[1]}""", """[{"op":"remove","path":"/l/2"},{"op":"remove","path":"/l/1"}]""" },
        { "array of equal length diffed per element", """{"l":["a","b"]}""", """{"l":["b","c"]}""", """[{"op":"replace","path":"/l/0","value":"b"},{"op":"replace","path":"/l/1","value":"c"}]""" },
        { "null replaced", """{"a":null}""", """{"a":"x"}""", """[{"op":"replace","path":"/a","value":"x"}]""" },
        { "value replaced with null", """{"a":"x"}""", """{"a":null}""", """[{"op":"replace","path":"/a","value":null}]""" },
        { "object replaced by an array", """{"a":{"b":1}}""", """{"a":[1]}""", """[{"op":"replace","path":"/a","value":[1]}]""" },
        { "member added to an empty object", """{}""", """{"status":{"firedCount":1}}""", """[{"op":"add","path":"/status","value":{"firedCount":1}}]""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Diff_produces_the_minimal_rfc6902_patch(string name, string before, string after, string expected)
    {
        var ops = JsonPatchDiff.Diff(JsonNode.Parse(before), JsonNode.Parse(after));
        var json = Encoding.UTF8.GetString(JsonPatchDiff.Serialize(ops));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(json)), $"{name}: {json}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Applying_the_patch_to_before_gives_after(string name, string before, string after, string _)
    {
        var document = JsonNode.Parse(before)!.AsObject();
        var patch = System.Text.Json.JsonSerializer.Deserialize<JsonPatchDocument>(
            JsonPatchDiff.Serialize(JsonPatchDiff.Diff(JsonNode.Parse(before), JsonNode.Parse(after))))!;
        patch.ApplyTo(document);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(after), document), $"{name}: {document.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_json_array_form_matches_the_serialized_form(string name, string before, string after, string _)
    {
        var ops = JsonPatchDiff.Diff(JsonNode.Parse(before), JsonNode.Parse(after));
        var serialized = JsonNode.Parse(JsonPatchDiff.Serialize(ops));
        Assert.True(JsonNode.DeepEquals(serialized, JsonPatchDiff.ToJsonArray(ops)), name);
    }

    [Fact]
    public void Remove_carries_no_value_member()
    {
        var json = Encoding.UTF8.GetString(JsonPatchDiff.Serialize(JsonPatchDiff.Diff(JsonNode.Parse("""{"a":1}"""), JsonNode.Parse("{}"))));
        Assert.Equal("""[{"op":"remove","path":"/a"}]""", json);
    }

    [Fact]
    public void Escape_segment_follows_json_pointer()
    {
        Assert.Equal("app.kubernetes.io~1name", JsonPatchDiff.EscapeSegment("app.kubernetes.io/name"));
        Assert.Equal("a~0~1b", JsonPatchDiff.EscapeSegment("a~/b"));
        Assert.Equal("plain", JsonPatchDiff.EscapeSegment("plain"));
    }
}
