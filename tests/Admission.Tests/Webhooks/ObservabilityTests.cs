using System.Net;
using System.Text.Json.Nodes;
using Arkonis.Admission.Tests.Support;

namespace Arkonis.Admission.Tests.Webhooks;

public sealed class ObservabilityTests : IDisposable
{
    private readonly AdmissionApp _app = new();

    [Fact]
    public async Task Health_and_readiness_answer_200()
    {
        var http = _app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task Metrics_count_requests_by_operation_and_result_with_a_latency_histogram()
    {
        var http = _app.CreateClient();
        var client = new AdmissionClient(http);
        await client.ValidateAsync(ApiServer.Review("CREATE", null));
        await client.ValidateAsync(ApiServer.Review("DELETE", null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "x" } }));
        await client.MutateAsync(ApiServer.Review("DELETE", null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "x" } }));
        await http.PostAsync("/mutate-arkevent", ApiServer.Json("not json"));

        var response = await http.GetAsync("/metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Contains("# TYPE arkevent_admission_requests_total counter", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_requests_total{operation=\"validate\",result=\"denied\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_requests_total{operation=\"validate\",result=\"allowed\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_requests_total{operation=\"mutate\",result=\"allowed\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_requests_total{operation=\"mutate\",result=\"error\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE arkevent_admission_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_request_duration_seconds_bucket{operation=\"validate\",result=\"denied\",le=\"+Inf\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_request_duration_seconds_count{operation=\"mutate\",result=\"error\"} 1\n", text, StringComparison.Ordinal);
    }

    public void Dispose() => _app.Dispose();
}
