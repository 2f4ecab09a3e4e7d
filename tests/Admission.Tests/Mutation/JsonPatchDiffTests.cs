using System.Text;
using System.Text.Json.Nodes;
using Arkonis.Admission.Mutation;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;

namespace Arkonis.Admission.Tests.Mutation;

public sealed class JsonPatchDiffTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        { """{"a":1}""", """{"a":1}""", "[]" },
        { """{"a":1}""", """{"a":2}""", """[{"op":"replace","path":"/a","value":2}]""" },
        { """{"a":1}""", """{"a":1,"b":{"c":{"d":true}}}""", """[{"op":"add","path":"/b","value":{"c":{"d":true}}}]""" },
        { """{"a":1,"b":2}""", """{"a":1}""", """[{"op":"remove","path":"/b"}]""" },
        { """{"m":{"x/y":1,"t~z":1}}""", """{"m":{"x/y":2,"t~z":3}}""", """[{"op":"replace","path":"/m/x~1y","value":2},{"op":"replace","path":"/m/t~0z","value":3}]""" },
        { """{"l":[{"p":"a"},{"p":"b"}]}""", """{"l":[{"p":"a","q":1},{"p":"b"}]}""", """[{"op":"add","path":"/l/0/q","value":1}]""" },
        { """{"l":[1]}""", """{"l":[1,2,3]}""", """[{"op":"add","path":"/l/1","value":2},{"op":"add","path":"/l/2","value":3}]""" },
        { """{"l":[1,2,3]}""", """{"l":[1]}""", """[{"op":"remove","path":"/l/2"},{"op":"remove","path":"/l/1"}]""" },
        { """{"a":null}""", """{"a":"x"}""", """[{"op":"replace","path":"/a","value":"x"}]""" },
        { """{"a":{"b":1}}""", """{"a":[1]}""", """[{"op":"replace","path":"/a","value":[1]}]""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Diff_produces_the_minimal_rfc6902_patch(string before, string after, string expected)
    {
        var ops = JsonPatchDiff.Diff(JsonNode.Parse(before), JsonNode.Parse(after));
        var json = Encoding.UTF8.GetString(JsonPatchDiff.Serialize(ops));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(json)), json);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Applying_the_patch_to_before_gives_after(string before, string after, string _)
    {
        var document = JsonNode.Parse(before)!.AsObject();
        var patch = System.Text.Json.JsonSerializer.Deserialize<JsonPatchDocument>(
            JsonPatchDiff.Serialize(JsonPatchDiff.Diff(JsonNode.Parse(before), JsonNode.Parse(after))))!;
        patch.ApplyTo(document);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(after), document), document.ToJsonString());
    }

    [Fact]
    public void Escape_segment_follows_json_pointer()
    {
        Assert.Equal("app.kubernetes.io~1name", JsonPatchDiff.EscapeSegment("app.kubernetes.io/name"));
        Assert.Equal("a~0~1b", JsonPatchDiff.EscapeSegment("a~/b"));
        Assert.Equal("plain", JsonPatchDiff.EscapeSegment("plain"));
    }
}
