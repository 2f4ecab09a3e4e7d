using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Tests.Shared;
using CsCheck;

namespace Arkonis.Dispatcher.Tests.Properties;

/// <summary>
/// The fire endpoint (the real dispatcher on loopback, its fake sidecar behind it) under hostile paths, queries,
/// headers and bodies: every answer comes within seconds, errors are problem details with a stable type, and the
/// only 5xx are the documented ones (a sync run that failed: 500 with the run; 503 dispatcher-unavailable; 504
/// sync-timeout). The rate limit is lifted so that the checks after it are reached.
/// </summary>
public sealed class FireEndpointProperties(FireEndpointProperties.Unthrottled app) : IClassFixture<FireEndpointProperties.Unthrottled>
{
    private const long Cases = 1_500;

    private static readonly TimeSpan PerRequest = TimeSpan.FromSeconds(10);

    public sealed class Unthrottled : DispatcherFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["TriggerApi:TokenCacheTtl"] = "00:00:05",
            ["TriggerApi:RatePerSecond"] = "1000000",
            ["TriggerApi:RateBurst"] = "1000000",
            ["TriggerApi:ClientRatePerSecond"] = "1000000",
            ["TriggerApi:ClientRateBurst"] = "1000000",
            ["TriggerApi:MaxBodyBytes"] = "4096",
        };
    }

    private static readonly Gen<string> Visible = Gen.Char[' ', '~'].Array[0, 12].Select(c => new string(c));

    private static readonly Gen<string> Segment = Gen.Frequency(
        (6, Gen.OneOf("hello", "fanout", "nightly", "paused", "broken", "limited", "exclusive", "no-such-trigger")),
        (1, Gen.OneOf("Hello", "hello..again", "de.fault", "a%2Fb", "%00", "..", "%2e%2e", new string('a', 300), "hello%20", "h%C3%A9llo")),
        (1, Visible.Select(Uri.EscapeDataString)));

    private static readonly Gen<string> Namespace = Gen.Frequency((8, Gen.Const("default")), (1, Segment));

    private static readonly Gen<string> Query = Gen.Frequency(
        (4, Gen.Const(string.Empty)),
        (2, Gen.OneOf("?mode=async", "?mode=sync&timeout=2s", "?mode=sync&timeout=1ms", "?mode=SYNC", "?mode=", "?mode=sync&mode=async", "?timeout=5s")),
        (1, Gen.OneOf("?token=" + DispatcherFixture.Token, "?access_token=x", "?mode=sync&timeout=0s", "?mode=sync&timeout=11m", "?mode=sync&timeout=-1s", "?mode=sync&timeout=1.5s")),
        (1, HostileInput.Text(6, "3s", "500ms", "1m", "h", "0", "9999", "999999999h").Select(t => "?mode=sync&timeout=" + Uri.EscapeDataString(t))),
        (1, Visible.Select(v => "?" + Uri.EscapeDataString(v) + "=" + Uri.EscapeDataString(v))));

    private static readonly Gen<string?> Authorization = Gen.Frequency(
        (6, Gen.Const<string?>("Bearer " + DispatcherFixture.Token)),
        (2, Gen.OneOf<string?>(null, "Bearer wrong", "bearer " + DispatcherFixture.Token, "Bearer", "Bearer  " + DispatcherFixture.Token, "Basic dGVzdDp0ZXN0", "Bearer " + DispatcherFixture.Token + "x", "Token " + DispatcherFixture.Token)),
        (1, Visible.Select(v => (string?)v)));

    private static readonly Gen<string?> ContentType = Gen.Frequency(
        (5, Gen.Const<string?>("application/json")),
        (2, Gen.OneOf<string?>(null, "application/x-www-form-urlencoded", "application/json; charset=utf-8", "application/merge-patch+json", "text/plain", "multipart/form-data; boundary=x", "application/xml", "application/json; charset=latin1", "*/*", "application/")),
        (1, Visible.Select(v => (string?)v)));

    private static readonly Gen<string?> IdempotencyKey = Gen.Frequency(
        (6, Gen.Const<string?>(() => null)),
        (2, Gen.Guid.Select(g => (string?)g.ToString("N"))),
        (1, Gen.OneOf<string?>("", " ", "k", new string('k', 255), new string('k', 256), "a b", "\t")),
        (1, Visible.Select(v => (string?)v)));

    private static readonly Gen<string?> Body = Gen.Frequency((1, Gen.Const<string?>(() => null)), (6, HostileInput.JsonText(3).Select(b => (string?)b)), (1, Gen.Int[4000, 5000].Select(n => (string?)("{\"topic\":\"" + new string('x', n) + "\"}"))));

    private static readonly Gen<FireCase> Case = Gen.Select(Namespace, Segment, Query, Authorization, ContentType, IdempotencyKey, Body)
        .Select((ns, name, query, auth, type, key, body) => new FireCase(ns, name, query, auth, type, key, body));

    [Fact]
    public async Task No_undocumented_5xx_no_hang_and_problems_are_typed()
    {
        var statuses = new ConcurrentDictionary<int, int>();
        await Case.SampleAsync(async fire =>
        {
            using var request = fire.ToRequest();
            using var timeout = new CancellationTokenSource(PerRequest);
            using var response = await app.Public.SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            if (status is 200 or 202)
            {
                Assert.NotNull(JsonNode.Parse(text)?["runId"]);
                return;
            }

            if (status is 400 or 404 or 405 && text.Length == 0)
            {
                // Answered before the API saw it: Kestrel refuses "%00" in a path (400), and a path that matches no
                // route (HttpClient folds "%2e%2e" into "..") is routing's 404.
                return;
            }

            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var body = JsonNode.Parse(text)!;
            var type = body["type"]?.GetValue<string>() ?? string.Empty;
            Assert.StartsWith("https://arkonis.dev/problems/", type, StringComparison.Ordinal);
            if (status >= 500)
            {
                var documented = (status, type[(type.LastIndexOf('/') + 1)..]) switch
                {
                    (503, "dispatcher-unavailable") or (504, "sync-timeout") => true,
                    _ => false,
                };
                Assert.True(documented, $"{status} {type} for {fire}: {text}");
            }
        }, iter: Cases, threads: 2, print: f => f.ToString());

        // The generator must reach both the refusals and the fires. A fire needs a known trigger, its token, a valid body
        // and query all at once: 4.5 % of the cases in a CI run whose random cases failed the old bound of 1 in 20.
        Assert.True(statuses.GetValueOrDefault(202) + statuses.GetValueOrDefault(200) > Cases / 40, string.Join(", ", statuses.OrderBy(s => s.Key)));
        Assert.True(statuses.GetValueOrDefault(401) > Cases / 20, string.Join(", ", statuses.OrderBy(s => s.Key)));
    }

    [Fact]
    public async Task A_sync_run_that_failed_is_the_documented_500_with_the_run()
    {
        // The one 5xx that carries a run rather than a problem: fanout with a failing target.
        using var request = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/fanout/fire?mode=sync&timeout=20s", """{"failAlpha":"true"}""");
        using var response = await app.Public.SendAsync(request);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("Failed", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_timeout_past_TimeSpan_is_refused_as_invalid()
    {
        using var request = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire?mode=sync&timeout=999999999h", "{}");
        using var response = await app.Public.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.EndsWith("/invalid-timeout", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["type"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    public sealed record FireCase(string Namespace, string Name, string Query, string? Authorization, string? ContentType, string? IdempotencyKey, string? Body)
    {
        public HttpRequestMessage ToRequest()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/triggers/{Namespace}/{Name}/fire{Query}");
            if (Authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", Authorization);
            }

            if (IdempotencyKey is not null)
            {
                request.Headers.TryAddWithoutValidation("Idempotency-Key", IdempotencyKey);
            }

            if (Body is not null || ContentType is not null)
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Body ?? string.Empty));
                if (ContentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                }
            }

            return request;
        }

        public override string ToString() =>
            $"POST /triggers/{Namespace}/{Name}/fire{Query} auth={Authorization} type={ContentType} key={IdempotencyKey} body={(Body is { Length: > 200 } b ? b[..200] + "..." : Body)}";
    }
}
