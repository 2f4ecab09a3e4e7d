using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Arkonis.Admission.Tests.Support;

namespace Arkonis.Admission.Tests.Webhooks;

/// <summary>
/// The curl example of docs/admission.md (the README's walkthrough points there): the ready-made review in
/// deploy/examples/reviews gives the answer the page shows, and the page's kubectl output is what kubectl would print.
/// </summary>
public sealed class ReadmeExampleTests(AdmissionApp app) : IClassFixture<AdmissionApp>
{
    [Fact]
    public async Task Curl_example_answers_what_the_readme_shows_and_what_kubectl_would_print()
    {
        var review = File.ReadAllText(Repo.DeployPath("examples", "reviews", "cron-without-schedule.review.json"));
        var http = await app.CreateClient().PostAsync("/validate-arkevent?timeout=5s", ApiServer.Json(review));
        var answer = (await http.Content.ReadFromJsonAsync<JsonObject>())!;
        var response = answer["response"]!.AsObject();

        var expected = JsonNode.Parse("""
            {
              "uid": "0d6a8a53-3f4e-4a8e-b0a5-7c2d6b9e1f10",
              "allowed": false,
              "status": {
                "status": "Failure",
                "message": "ArkEvent.arkonis.dev \"morning\" is invalid: [spec.source.cron: Required value: a cron event needs a schedule such as \"0 8 * * *\", spec.source.timezone: Invalid value: \"Europe/Amsterdm\": unknown time zone; use an IANA name such as \"Europe/Berlin\"]",
                "reason": "Invalid",
                "code": 422,
                "details": {
                  "name": "morning",
                  "group": "arkonis.dev",
                  "kind": "ArkEvent",
                  "causes": [
                    {
                      "reason": "FieldValueRequired",
                      "message": "Required value: a cron event needs a schedule such as \"0 8 * * *\"",
                      "field": "spec.source.cron"
                    },
                    {
                      "reason": "FieldValueInvalid",
                      "message": "Invalid value: \"Europe/Amsterdm\": unknown time zone; use an IANA name such as \"Europe/Berlin\"",
                      "field": "spec.source.timezone"
                    }
                  ]
                }
              }
            }
            """);
        Assert.True(JsonNode.DeepEquals(expected, response), response.ToJsonString());

        var page = File.ReadAllLines(Path.Combine(Repo.RepositoryRoot, "docs", "admission.md"));
        var webhookKubectl = Kubectl.Render(response, "cron-without-schedule.yaml").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd());
        Assert.Equal(webhookKubectl, IndentedBlockAfter(page, "which kubectl would render as:"));

        var shown = JsonNode.Parse(string.Join('\n', FencedBlock(page, "```json")))!.AsObject();
        Assert.Equal(answer["apiVersion"]!.GetValue<string>(), shown["apiVersion"]!.GetValue<string>());
        Assert.Equal(answer["kind"]!.GetValue<string>(), shown["kind"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(shown["response"], response), shown["response"]!.ToJsonString());

        // In a cluster the CRD's rule answers first: the page and the example's # expect: line say what the schema prints.
        var crd = Arkonis.Crd.CrdChecker.Install(Repo.DeployPath("crd"));
        var manifest = Repo.LoadOne(Repo.DeployPath("examples", "invalid", "cron-without-schedule.yaml"));
        var verdict = crd.Create(manifest);
        var schemaKubectl = Kubectl.Render(new JsonObject { ["allowed"] = false, ["status"] = crd.InvalidStatus("morning", verdict.Errors) }, "cron-without-schedule.yaml")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToList();
        Assert.Equal(Repo.Expectations(Repo.DeployPath("examples", "invalid", "cron-without-schedule.yaml")), schemaKubectl);
        Assert.Equal(schemaKubectl, IndentedBlockAfter(page, "cron-without-schedule.yaml` prints"));
    }

    /// <summary>The lines of the first fenced block that opens with <paramref name="fence"/>.</summary>
    private static IEnumerable<string> FencedBlock(string[] page, string fence) =>
        page.SkipWhile(l => l != fence).Skip(1).TakeWhile(l => l != "```");

    /// <summary>The indented code block after the first line that ends with <paramref name="lead"/>, unindented.</summary>
    private static IEnumerable<string> IndentedBlockAfter(string[] page, string lead) =>
        page.SkipWhile(l => !l.EndsWith(lead, StringComparison.Ordinal)).Skip(1)
            .SkipWhile(l => l.Length == 0)
            .TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal))
            .Select(l => l[4..]);
}
