using System.Text.Json;
using Arkonis.Dispatcher.Kubernetes.Completions;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

public sealed class ArkFlowRunTests
{
    [Theory]
    [InlineData("\"plain text\"", "\"plain text\"")]
    [InlineData("\"{\\\"summary\\\":\\\"ok\\\"}\"", "{\"summary\":\"ok\"}")]
    [InlineData("\" [1,2] \"", "[1,2]")]
    [InlineData("\"{not json\"", "\"{not json\"")]
    [InlineData("\"42\"", "\"42\"")]
    [InlineData("{\"already\":\"object\"}", "{\"already\":\"object\"}")]
    public void Output_text_that_is_a_json_object_or_array_is_passed_on_parsed(string statusOutput, string expected)
    {
        using var doc = JsonDocument.Parse(statusOutput);
        Assert.Equal(expected, ArkFlowRun.OutputOf(doc.RootElement)!.ToJsonString());
    }

    [Fact]
    public void A_run_without_output_or_labels_still_reads()
    {
        using var doc = JsonDocument.Parse("""{"metadata":{"name":"x","namespace":"n"},"status":{"phase":"Failed"}}""");
        var run = ArkFlowRun.Parse(doc.RootElement);
        Assert.True(run.IsFinished);
        Assert.Null(run.Output);
        Assert.Equal("failed", run.Error);
        Assert.Equal("x", run.ToCompletion(DateTimeOffset.UnixEpoch).Flow); // no template label: its own name
        Assert.Equal(DateTimeOffset.UnixEpoch, run.ToCompletion(DateTimeOffset.UnixEpoch).CompletedAt);
    }
}
