using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Arkonis.Dispatcher.Tests.Harness;

namespace Arkonis.Dispatcher.Tests.Triggers.Webhook;

/// <summary>No per-client limit to speak of, and a token TTL far longer than any test: only the recheck path reads.</summary>
public sealed class TokenFloodFixture : DispatcherFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["TriggerApi:TokenCacheTtl"] = "00:10:00",
        ["TriggerApi:TokenRecheckInterval"] = "00:00:01",
        ["TriggerApi:ClientRatePerSecond"] = "1000000",
        ["TriggerApi:ClientRateBurst"] = "1000000",
    };
}

/// <summary>
/// The attack of issue 12: many unauthenticated POSTs, each to a new random name. None may read the secret store,
/// and each must answer exactly as a wrong token for a trigger that exists.
/// </summary>
public sealed partial class TokenFloodTests(TokenFloodFixture app) : IClassFixture<TokenFloodFixture>
{
    private const int Flood = 2_000;

    [Fact]
    public async Task A_flood_of_random_trigger_names_reads_no_secret_and_answers_like_a_wrong_token()
    {
        // "limited" has 7 letters, as every random name below: equal lengths make even Content-Length equal.
        var reference = await AnswerAsync("/triggers/default/limited/fire", "not-the-token");
        Assert.Equal(HttpStatusCode.Unauthorized, reference.Status);

        var names = Enumerable.Range(0, Flood).Select(_ => RandomName(7)).ToArray();
        var keys = names.Select(n => n + "-webhook-token").ToHashSet();
        var answers = new Answer[Flood];
        await Parallel.ForAsync(0, Flood, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            answers[i] = await AnswerAsync($"/triggers/default/{names[i]}/fire", i % 2 == 0 ? "not-the-token" : null));

        Assert.DoesNotContain(app.Sidecar.Runtime.SecretReads, read => keys.Contains(read.Key));
        for (var i = 0; i < Flood; i++)
        {
            // Without a token at all the answer is the same too: nothing tells a missing token from a wrong one.
            Assert.Equal(reference with { Body = reference.Body.Replace("/limited/", $"/{names[i]}/", StringComparison.Ordinal) }, answers[i]);
        }
    }

    [Fact]
    public async Task A_rotated_token_works_within_the_recheck_interval_long_before_the_cache_expires()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await AnswerAsync("/triggers/default/fanout/runs/x", DispatcherFixture.Token)).Status);
        app.Sidecar.Runtime.Secrets["fanout-webhook-token"] = new Dictionary<string, string>
        {
            ["token"] = "fanout-rotated",
            ["previous-token"] = DispatcherFixture.Token,
            ["previous-token-expires-at"] = DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"),
        };
        await DispatcherFixture.EventuallyAsync(
            async () => (await AnswerAsync("/triggers/default/fanout/runs/x", "fanout-rotated")).Status,
            s => s == HttpStatusCode.NotFound,
            TimeSpan.FromSeconds(3),
            "the rotated token to be accepted within TokenRecheckInterval (1 s), though the TTL is 10 min");
        Assert.Equal(HttpStatusCode.NotFound, (await AnswerAsync("/triggers/default/fanout/runs/x", DispatcherFixture.Token)).Status);
    }

    [Fact]
    public async Task Wrong_tokens_for_a_known_trigger_read_the_store_at_most_once_per_recheck_interval()
    {
        var before = app.Sidecar.Runtime.SecretReads.Count(r => r.Key == "exclusive-webhook-token");
        var started = DateTime.UtcNow;
        for (var i = 0; i < 90; i++) // under the per-trigger burst (100)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await AnswerAsync("/triggers/default/exclusive/fire", "wrong-" + i)).Status);
        }
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        var reads = app.Sidecar.Runtime.SecretReads.Count(r => r.Key == "exclusive-webhook-token") - before;
        Assert.InRange(reads, 0, (int)Math.Ceiling(seconds) + 1);
    }

    /// <summary>What a caller sees: status, the headers that could tell answers apart, and the body with its trace id blanked.</summary>
    private sealed record Answer(HttpStatusCode Status, string? ContentType, long? ContentLength, string WwwAuthenticate, string? RetryAfter, string Body);

    private async Task<Answer> AnswerAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (path.Contains("/runs/", StringComparison.Ordinal))
        {
            request.Method = HttpMethod.Get;
        }
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }
        request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await app.Public.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new Answer(
            response.StatusCode,
            response.Content.Headers.ContentType?.ToString(),
            response.Content.Headers.ContentLength,
            response.Headers.WwwAuthenticate.ToString(),
            response.Headers.RetryAfter?.ToString(),
            TraceId().Replace(body, "\"traceId\":\"-\""));
    }

    private static string RandomName(int length) =>
        string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + Random.Shared.Next(26));
            }
        });

    [GeneratedRegex("\"traceId\":\"[^\"]*\"")]
    private static partial Regex TraceId();
}

/// <summary>A per-client limit so small that a handful of requests reach it.</summary>
public sealed class ClientLimitFixture : DispatcherFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["TriggerApi:TokenCacheTtl"] = "00:00:00.200",
        ["TriggerApi:ClientRatePerSecond"] = "1",
        ["TriggerApi:ClientRateBurst"] = "3",
    };
}

public sealed class ClientRateLimitTests(ClientLimitFixture app) : IClassFixture<ClientLimitFixture>
{
    [Fact]
    public async Task One_client_spraying_names_gets_429_with_Retry_After_before_any_token_is_checked()
    {
        var reads = app.Sidecar.Runtime.SecretReads.Count;
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            using var request = DispatcherFixture.Authorized(HttpMethod.Post, $"/triggers/default/spray-{i}/fire", "{}", token: "guess-" + i);
            var response = await app.Public.SendAsync(request);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }
        Assert.NotNull(limited);
        using (limited)
        {
            Assert.All(statuses[..^1], s => Assert.Equal(HttpStatusCode.Unauthorized, s));
            Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
            var problem = (await limited.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal("https://arkonis.dev/problems/rate-limited", (string)problem["type"]!);
        }

        // Before authentication: the right token for a trigger that exists is turned away the same way.
        using var valid = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire", "{}");
        using var refused = await app.Public.SendAsync(valid);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.DoesNotContain(app.Sidecar.Runtime.SecretReads.Skip(reads), read => read.Key.StartsWith("spray-", StringComparison.Ordinal));

        // Only the trigger API counts: health stays reachable.
        using var health = await app.Public.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
