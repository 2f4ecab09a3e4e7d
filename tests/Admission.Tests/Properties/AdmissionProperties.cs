using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Arkonis.Admission.Reviews;
using Arkonis.Admission.Tests.Support;
using Arkonis.Tests.Shared;
using CsCheck;
using Microsoft.AspNetCore.Http;

namespace Arkonis.Admission.Tests.Properties;

/// <summary>
/// Hostile AdmissionReviews: the reader never throws and always says either a review or a problem; both webhooks
/// answer every body with 200 (a well-formed review) or a 4xx problem, never 5xx, and echo the uid. Bodies range
/// from garbage to reviews of almost-valid ArkEvents (the validator's and defaulter's edges).
/// </summary>
public sealed class AdmissionProperties(AdmissionApp app) : IClassFixture<AdmissionApp>
{
    private const long Cases = 2_000;

    private static readonly Gen<string> Name = Gen.Frequency(
        (4, Gen.OneOf("nightly", "pipeline-trigger", "a", "x-y", "my-flow", "research-flow")),
        (1, Gen.OneOf("", "Lonely", "-a", "a-", "a.b", new string('a', 64), new string('b', 254))),
        (1, HostileInput.Text(4, "a", "-", ".", "A", "0")));

    private static readonly Gen<JsonNode?> Source = Gen.Select(
            Gen.OneOf<string?>("webhook", "cron", "flow-output", "kafka", "", null, "Cron"),
            Gen.Frequency((3, Gen.OneOf<string?>(null, "0 8 * * *", "*/5 * * * *", "61 * * * *", "0 0 30 2 *", "@daily", "* * * * * *")), (1, HostileInput.Text(8, "*", " ", "0", "/", "-").Select(s => (string?)s))),
            Gen.OneOf<string?>(null, "UTC", "Europe/Amsterdam", "Mars/Olympus", ""),
            Gen.Frequency((3, Gen.OneOf<string?>(null, "research-flow")), (1, Name.Select(n => (string?)n))),
            Gen.OneOf<string?>(null, "Succeeded", "Failed", "Completed"))
        .Select((type, cron, zone, flow, phase) => (JsonNode?)Compact(new JsonObject { ["type"] = type, ["cron"] = cron, ["timezone"] = zone, ["flow"] = flow, ["onPhase"] = phase }));

    private static readonly Gen<JsonNode?> Target = Gen.Select(
            Name,
            Gen.Select(Gen.OneOf("topic", "when", "a", ""), HostileInput.Text(8, "{{", "}}", " .trigger.body.topic ", ".trigger.firedAt", "{{ .trigger.bdy }}", "x")).Array[0, 3])
        .Select((pipeline, input) =>
        {
            var map = new JsonObject();
            foreach (var (k, v) in input)
            {
                map[k] = v;
            }

            return (JsonNode?)new JsonObject { ["pipeline"] = pipeline, ["input"] = map };
        });

    /// <summary>An ArkEvent-shaped object with every field sometimes wrong, sometimes missing, sometimes of the wrong type.</summary>
    private static readonly Gen<JsonNode?> ArkEventObject = Gen.Select(
            Name,
            Source,
            Gen.Frequency((4, Target.Array[0, 4].Select(t => (JsonNode?)new JsonArray([.. t.Select(n => n?.DeepClone())]))), (1, HostileInput.Json(2))),
            Gen.OneOf<JsonNode?>(null, "Allow", "Forbid", "Replace", "Sometimes", 3, true),
            Gen.Frequency((5, Gen.Const(false)), (1, Gen.Const(true))),
            HostileInput.Json(2))
        .Select((name, source, targets, policy, wrongTypes, junk) => (JsonNode?)new JsonObject
        {
            ["apiVersion"] = "arkonis.dev/v1alpha1",
            ["kind"] = "ArkEvent",
            ["metadata"] = wrongTypes ? junk?.DeepClone() : new JsonObject { ["name"] = name, ["namespace"] = "ai-team" },
            ["spec"] = wrongTypes
                ? new JsonObject { ["source"] = junk?.DeepClone(), ["targets"] = "not a list" }
                : Compact(new JsonObject { ["source"] = source?.DeepClone(), ["targets"] = targets?.DeepClone(), ["concurrencyPolicy"] = policy?.DeepClone() }),
        });

    private static readonly Gen<(string Body, string? Uid)> Review = Gen.Select(
            Gen.Frequency((6, Gen.Const("admission.k8s.io/v1")), (1, Gen.OneOf("admission.k8s.io/v1beta1", "", "v1"))),
            Gen.Frequency((6, Gen.Guid.Select(g => (JsonNode?)g.ToString())), (1, Gen.OneOf<JsonNode?>(null, "", 42, new JsonObject()))),
            Gen.OneOf("CREATE", "UPDATE", "DELETE", "CONNECT", "", "create"),
            Gen.Frequency((6, Gen.Const(("arkonis.dev", "ArkEvent"))), (1, Gen.OneOf(("", "Pod"), ("arkonis.dev", "ArkFlow"), ("apps", "ArkEvent")))),
            Gen.Frequency((6, ArkEventObject), (1, HostileInput.Json(3))),
            Gen.Frequency((3, Gen.Const<JsonNode?>(() => null)), (2, ArkEventObject), (1, HostileInput.Json(2))),
            Gen.Bool)
        .Select((apiVersion, uid, operation, kind, obj, oldObj, dryRun) =>
        {
            var review = new JsonObject
            {
                ["apiVersion"] = apiVersion,
                ["kind"] = "AdmissionReview",
                ["request"] = new JsonObject
                {
                    ["uid"] = uid?.DeepClone(),
                    ["kind"] = new JsonObject { ["group"] = kind.Item1, ["version"] = "v1alpha1", ["kind"] = kind.Item2 },
                    ["resource"] = new JsonObject { ["group"] = kind.Item1, ["version"] = "v1alpha1", ["resource"] = "arkevents" },
                    ["name"] = ((obj as JsonObject)?["metadata"] as JsonObject)?["name"]?.DeepClone(),
                    ["namespace"] = "ai-team",
                    ["operation"] = operation,
                    ["userInfo"] = new JsonObject { ["username"] = "fuzz" },
                    ["object"] = obj?.DeepClone(),
                    ["oldObject"] = oldObj?.DeepClone(),
                    ["dryRun"] = dryRun,
                },
            };
            return (review.ToJsonString(), uid is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null);
        });

    private static readonly Gen<(string Body, string? Uid)> Body = Gen.Frequency(
        (4, Review),
        (1, HostileInput.JsonText(3).Select(text => (text, (string?)null))));

    [Fact]
    public void The_reader_never_throws_and_answers_review_or_problem()
    {
        var contentType = Gen.Frequency(
            (4, Gen.OneOf<string?>("application/json", "application/json; charset=utf-8")),
            (1, Gen.OneOf<string?>(null, "", "text/plain", "application/json-seq", "application/jsonx", "application/*", ";;;", "application/json; charset=latin1")));
        Gen.Select(Body, contentType, Gen.Int[16, 4096]).Sample((body, type, limit) =>
        {
            var http = new DefaultHttpContext();
            var bytes = Encoding.UTF8.GetBytes(body.Body);
            http.Request.Body = new MemoryStream(bytes);
            http.Request.ContentType = type;
            var (review, problem) = AdmissionReviewReader.ReadAsync(http.Request, limit, CancellationToken.None).GetAwaiter().GetResult();
            Assert.True(review is null != problem is null, "exactly one of review and problem");
            if (bytes.Length > limit && problem is not null)
            {
                Assert.Contains(problem.Kind, new[] { ReviewProblemKind.TooLarge, ReviewProblemKind.UnsupportedMediaType });
            }
        }, iter: Cases);
    }

    [Theory]
    [InlineData(AdmissionClient.ValidatePath)]
    [InlineData(AdmissionClient.MutatePath)]
    public async Task A_webhook_answers_every_body_without_a_5xx(string path)
    {
        using var client = app.CreateClient();
        var answered = 0;
        await Body.SampleAsync(async body =>
        {
            using var content = new StringContent(body.Body, Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(path, content);
            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"{status} for {body.Body}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Interlocked.Increment(ref answered);
                var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["response"]!;
                Assert.Contains(answer["allowed"]!.GetValueKind(), new[] { JsonValueKind.True, JsonValueKind.False });
                if (body.Uid is { } uid)
                {
                    Assert.Equal(uid, answer["uid"]!.GetValue<string>());
                }
            }
            else
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }, iter: Cases, threads: 2);

        // Most generated bodies are reviews the webhook must answer (200), not reject.
        Assert.InRange(answered, Cases / 3, Cases);
    }

    [Fact]
    public async Task A_hashed_cron_is_denied_not_a_500()
    {
        var manifest = ApiServer.AsStored(Repo.LoadOne(Repo.DeployPath("examples", "cron.yaml")));
        manifest["spec"]!["source"]!["cron"] = "H 8 * * *";
        using var client = app.CreateClient();

        using var response = await client.PostAsync(AdmissionClient.ValidatePath, ApiServer.Json(ApiServer.Review("CREATE", manifest)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["response"]!["allowed"]!.GetValue<bool>());
    }

    private static JsonObject Compact(JsonObject o)
    {
        foreach (var key in o.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
        {
            o.Remove(key);
        }

        return o;
    }
}
