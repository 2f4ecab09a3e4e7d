using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Harness;

namespace Arkonis.Dispatcher.Tests.Triggers.Webhook;

/// <summary>Every error of the trigger API: status, stable problem type, headers, and no leaked internals.</summary>
public sealed class TriggerErrorTests(DispatcherFixture app) : IClassFixture<DispatcherFixture>
{
    private async Task<JsonObject> ExpectProblemAsync(HttpRequestMessage request, HttpStatusCode status, string type)
    {
        using var response = await app.Public.SendAsync(request);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("https://arkonis.dev/problems/" + type, (string)problem["type"]!);
        if (status == HttpStatusCode.Unauthorized)
        {
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
        }
        return problem;
    }

    public static TheoryData<string, string?> Unauthenticated => new()
    {
        { "missing token, known trigger", null },
        { "wrong token, known trigger", "wrong" },
    };

    [Theory]
    [MemberData(nameof(Unauthenticated))]
    public async Task No_valid_token_is_401_with_WWW_Authenticate(string name, string? token)
    {
        _ = name;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/triggers/default/hello/fire");
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }
        await ExpectProblemAsync(request, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Theory]
    [InlineData("/triggers/default/no-such-trigger/fire")]
    [InlineData("/triggers/default/nightly/fire")]
    [InlineData("/triggers/default/paused/fire")]
    public async Task Without_a_valid_token_nothing_about_the_trigger_is_revealed(string path)
    {
        using var request = DispatcherFixture.Authorized(HttpMethod.Post, path, token: "not-the-token");
        var problem = await ExpectProblemAsync(request, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Null(problem["detail"]);
    }

    [Theory]
    [InlineData("/triggers/de.fault/hello/fire")]
    [InlineData("/triggers/default/Hello/fire")]
    [InlineData("/triggers/default/hello..again/fire")]
    public async Task A_name_kubernetes_could_not_hold_is_answered_like_an_unknown_trigger(string path)
    {
        // Even with a token the secret store would accept: a namespace is a DNS-1123 label, a name a DNS-1123 subdomain.
        using var request = DispatcherFixture.Authorized(HttpMethod.Post, path);
        var problem = await ExpectProblemAsync(request, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Null(problem["detail"]);
        var segments = path.Split('/');
        Assert.DoesNotContain(app.Sidecar.Runtime.SecretReads, read => read.Namespace == segments[2] && read.Key == segments[3] + "-webhook-token");
    }

    [Fact]
    public async Task A_token_in_the_query_is_refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/triggers/default/hello/fire?token=" + DispatcherFixture.Token);
        await ExpectProblemAsync(request, HttpStatusCode.BadRequest, "token-in-query");
    }

    [Fact]
    public async Task A_valid_token_for_a_trigger_that_is_gone_gets_404()
    {
        // Only the catalog's triggers are read from the secret store, so "gone" means it was in the catalog a moment ago.
        app.Sidecar.Runtime.Secrets["deleted-webhook-token"] = new Dictionary<string, string> { ["token"] = DispatcherFixture.Token };
        var file = Path.Combine(app.CatalogDirectory, "deleted.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: arkonis.dev/v1alpha1
            kind: ArkEvent
            metadata: { name: deleted, namespace: default }
            spec:
              source: { type: webhook }
              targets:
                - pipeline: echo
            """);
        await DispatcherFixture.EventuallyAsync(
            async () =>
            {
                using var read = DispatcherFixture.Authorized(HttpMethod.Get, "/triggers/default/deleted/runs/x");
                using var response = await app.Public.SendAsync(read);
                return response.StatusCode;
            },
            s => s == HttpStatusCode.NotFound,
            TimeSpan.FromSeconds(10),
            "the new trigger to accept its token");
        File.Delete(file);
        await DispatcherFixture.EventuallyAsync(
            () => Task.FromResult(app.Catalog.Find("default", "deleted") is null),
            gone => gone,
            TimeSpan.FromSeconds(10),
            "the trigger to leave the catalog");

        using var request = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/deleted/fire");
        await ExpectProblemAsync(request, HttpStatusCode.NotFound, "trigger-not-found");
        using var wrong = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/deleted/fire", token: "not-the-token");
        await ExpectProblemAsync(wrong, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Theory]
    [InlineData("nightly", "not-a-webhook-trigger")]
    [InlineData("paused", "trigger-suspended")]
    [InlineData("broken", "trigger-invalid")]
    public async Task A_trigger_that_cannot_fire_by_webhook_is_409(string name, string type)
    {
        using var request = DispatcherFixture.Authorized(HttpMethod.Post, $"/triggers/default/{name}/fire", "{}");
        await ExpectProblemAsync(request, HttpStatusCode.Conflict, type);
    }

    [Theory]
    [InlineData("nightly", "?mode=bad", "not-a-webhook-trigger")]
    [InlineData("paused", "?timeout=forever", "trigger-suspended")]
    public async Task The_trigger_state_is_checked_before_the_request_itself(string name, string query, string type)
    {
        using var request = DispatcherFixture.Authorized(HttpMethod.Post, $"/triggers/default/{name}/fire{query}", "{}");
        await ExpectProblemAsync(request, HttpStatusCode.Conflict, type);
    }

    [Theory]
    [InlineData("{\"topic\": ", "invalid-json")]
    [InlineData("[1,2,3]", "body-not-object")]
    [InlineData("\"text\"", "body-not-object")]
    public async Task A_body_that_is_not_a_JSON_object_is_400(string body, string type)
    {
        using var request = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire", body);
        var problem = await ExpectProblemAsync(request, HttpStatusCode.BadRequest, type);
        Assert.DoesNotContain("Exception", problem.ToJsonString());
    }

    [Theory]
    [InlineData("mode=later", "invalid-mode")]
    [InlineData("mode=sync&timeout=soon", "invalid-timeout")]
    [InlineData("mode=sync&timeout=60", "invalid-timeout")]
    [InlineData("mode=sync&timeout=-5s", "invalid-timeout")]
    [InlineData("mode=sync&timeout=11m", "invalid-timeout")]
    public async Task A_bad_mode_or_timeout_is_400_never_a_silent_default(string query, string type)
    {
        using var request = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire?" + query, "{}");
        await ExpectProblemAsync(request, HttpStatusCode.BadRequest, type);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        var big = "{\"x\":\"" + new string('a', 1024 * 1024) + "\"}";
        using var request = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire", big);
        await ExpectProblemAsync(request, HttpStatusCode.RequestEntityTooLarge, "body-too-large");
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_415()
    {
        using var request = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire");
        request.Content = new StringContent("topic=x", Encoding.UTF8, "application/x-www-form-urlencoded");
        await ExpectProblemAsync(request, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Fact]
    public async Task An_unknown_run_is_404_and_runs_are_only_visible_through_their_own_trigger()
    {
        using var missing = DispatcherFixture.Authorized(HttpMethod.Get, "/triggers/default/hello/runs/default.hello.nothing");
        await ExpectProblemAsync(missing, HttpStatusCode.NotFound, "run-not-found");

        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire", "{}");
        using var fired = await app.Public.SendAsync(fire);
        var runId = (string)(await fired.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!;
        using var other = DispatcherFixture.Authorized(HttpMethod.Get, "/triggers/default/fanout/runs/" + runId);
        await ExpectProblemAsync(other, HttpStatusCode.NotFound, "run-not-found");
    }

    [Fact]
    public async Task A_rotated_token_works_within_seconds_and_the_previous_one_only_until_it_expires()
    {
        app.Sidecar.Runtime.Secrets["limited-webhook-token"] = new Dictionary<string, string>
        {
            ["token"] = "rotated-token",
            ["previous-token"] = DispatcherFixture.Token,
            ["previous-token-expires-at"] = DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"),
        };
        await DispatcherFixture.EventuallyAsync(
            async () =>
            {
                using var request = DispatcherFixture.Authorized(HttpMethod.Get, "/triggers/default/limited/runs/x", token: "rotated-token");
                using var response = await app.Public.SendAsync(request);
                return response.StatusCode;
            },
            s => s == HttpStatusCode.NotFound,
            TimeSpan.FromSeconds(10),
            "the rotated token to be accepted");
        using var previous = DispatcherFixture.Authorized(HttpMethod.Get, "/triggers/default/limited/runs/x");
        await ExpectProblemAsync(previous, HttpStatusCode.NotFound, "run-not-found");

        app.Sidecar.Runtime.Secrets["limited-webhook-token"] = new Dictionary<string, string>
        {
            ["token"] = "rotated-token",
            ["previous-token"] = DispatcherFixture.Token,
            ["previous-token-expires-at"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"),
        };
        await DispatcherFixture.EventuallyAsync(
            async () =>
            {
                using var request = DispatcherFixture.Authorized(HttpMethod.Get, "/triggers/default/limited/runs/x");
                using var response = await app.Public.SendAsync(request);
                return response.StatusCode;
            },
            s => s == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(10),
            "the expired previous token to be refused");
    }
}
