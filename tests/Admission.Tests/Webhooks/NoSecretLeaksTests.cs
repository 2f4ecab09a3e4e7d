using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Arkonis.Admission.Tests.Support;
using Arkonis.Tests.Shared;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Arkonis.Admission.Tests.Webhooks;

/// <summary>
/// The admission service with every log category at Trace: what a review carries that could be a credential (the
/// user's <c>userInfo.extra</c>, a Secret's data in a review sent to the wrong webhook, a token in a body that is not
/// JSON) reaches no log line, span or metric.
/// </summary>
public sealed class NoSecretLeaksTests : IDisposable
{
    private readonly string _token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    private readonly TracingApp _app;

    public NoSecretLeaksTests() => _app = new TracingApp();

    public void Dispose()
    {
        _app.Dispose();
        _app.Capture.Dispose();
    }

    [Fact]
    public async Task A_token_in_a_review_reaches_no_log_line_span_or_metric()
    {
        var http = _app.CreateClient();
        var client = new AdmissionClient(http);
        var valid = Event("""{"source":{"type":"webhook"},"targets":[{"pipeline":"a"}]}""");
        var invalid = Event("""{"source":{"type":"cron","cron":"61 * * * *"},"targets":[]}""");

        foreach (var path in new[] { AdmissionClient.ValidatePath, AdmissionClient.MutatePath })
        {
            await client.PostAsync(path, WithCredentials(ApiServer.Review("CREATE", valid)));
            await client.PostAsync(path, WithCredentials(ApiServer.Review("CREATE", invalid)));
            await client.PostAsync(path, WithCredentials(ApiServer.Review("UPDATE", valid, valid, dryRun: true)));
            await client.PostAsync(path, WithCredentials(Misrouted(ApiServer.Review("CREATE", Secret()))));
            using var notJson = await http.PostAsync(path, ApiServer.Json("""{"request":{"uid":"x","token":" """ + _token));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, notJson.StatusCode);
            using var badObject = await http.PostAsync(path, ApiServer.Json(
                ApiServer.Review("CREATE", new JsonObject { ["metadata"] = _token, ["spec"] = new JsonArray(_token) })));
        }
        using (var scrape = await http.GetAsync("/metrics"))
        {
            _app.Capture.Other.Enqueue(("GET /metrics", await scrape.Content.ReadAsStringAsync()));
        }

        Assert.Contains(_app.Capture.Lines, line => line.Contains("\"Category\":\"Arkonis.Admission", StringComparison.Ordinal));
        var leaks = _app.Capture.Find(TelemetryCapture.Pieces(_token));
        Assert.True(leaks.Count == 0, string.Join('\n', leaks.Take(10)));
    }

    private static JsonObject Event(string spec) => ApiServer.AsStored(new JsonObject
    {
        ["apiVersion"] = "arkonis.dev/v1alpha1",
        ["kind"] = "ArkEvent",
        ["metadata"] = new JsonObject { ["name"] = "hook" },
        ["spec"] = JsonNode.Parse(spec),
    });

    /// <summary>What kube-apiserver puts in userInfo: a service account's credential id and token claims in <c>extra</c>.</summary>
    private JsonObject WithCredentials(JsonObject review)
    {
        review["request"]!["userInfo"]!["extra"] = new JsonObject
        {
            ["authentication.kubernetes.io/credential-id"] = new JsonArray("JTI=" + _token),
            ["token"] = new JsonArray(_token),
        };
        return review;
    }

    /// <summary>A Secret carrying the token, as a review of a misconfigured webhook rule would send it.</summary>
    private JsonObject Secret() => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = new JsonObject { ["name"] = "hook-webhook-token", ["namespace"] = "ai-team" },
        ["data"] = new JsonObject { ["token"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(_token)) },
        ["stringData"] = new JsonObject { ["token"] = _token },
    };

    private static JsonObject Misrouted(JsonObject review)
    {
        var request = review["request"]!;
        request["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Secret" };
        request["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "secrets" };
        request["requestKind"] = request["kind"]!.DeepClone();
        request["requestResource"] = request["resource"]!.DeepClone();
        return review;
    }

    private sealed class TracingApp : AdmissionApp
    {
        public TracingApp()
            : base(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace", ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace" })
        {
        }

        public TelemetryCapture Capture { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<ILoggerProvider>(Capture));
        }
    }
}
