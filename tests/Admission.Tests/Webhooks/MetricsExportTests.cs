using Arkonis.Admission.Observability;
using Arkonis.Admission.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Admission.Tests.Webhooks;

/// <summary>The instruments of <see cref="AdmissionMetrics"/> as OpenTelemetry's Prometheus exporter writes them at <c>/metrics</c>.</summary>
public sealed class MetricsExportTests : IDisposable
{
    private readonly AdmissionApp _app = new();

    [Fact]
    public async Task Every_measurement_lands_in_the_series_of_its_tags_and_bucket()
    {
        var metrics = _app.Services.GetRequiredService<AdmissionMetrics>();

        for (var i = 0; i < 1000; i++)
        {
            metrics.Record("validate", i % 4 == 0 ? AdmissionResults.Denied : AdmissionResults.Allowed, TimeSpan.FromMilliseconds(0.7));
        }

        metrics.Record("mutate", AdmissionResults.Allowed, TimeSpan.FromMilliseconds(3));
        metrics.RecordCycleCheck("clear");
        var text = await _app.CreateClient().GetStringAsync("/metrics");

        Assert.Contains("arkevent_admission_requests_total{operation=\"validate\",result=\"allowed\"} 750\n", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_requests_total{operation=\"validate\",result=\"denied\"} 250\n", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_request_duration_seconds_bucket{operation=\"validate\",result=\"allowed\",le=\"0.0005\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_request_duration_seconds_bucket{operation=\"validate\",result=\"allowed\",le=\"0.001\"} 750\n", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_request_duration_seconds_bucket{operation=\"mutate\",result=\"allowed\",le=\"0.0025\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_request_duration_seconds_bucket{operation=\"mutate\",result=\"allowed\",le=\"0.005\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE arkevent_admission_cycle_checks_total counter", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_cycle_checks_total{outcome=\"clear\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("service_name=\"arkevent-admission\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_exports_its_own_measurements_only()
    {
        // Several hosts in one process (these tests) each have their own meter factory; none may count another's requests.
        var own = _app.Services.GetRequiredService<AdmissionMetrics>();
        using var other = new AdmissionApp();
        other.Services.GetRequiredService<AdmissionMetrics>().Record("validate", AdmissionResults.Error, TimeSpan.FromMilliseconds(1));
        own.Record("mutate", AdmissionResults.Denied, TimeSpan.FromMilliseconds(1));

        var text = await _app.CreateClient().GetStringAsync("/metrics");

        Assert.Contains("arkevent_admission_requests_total{operation=\"mutate\",result=\"denied\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("result=\"error\"", text, StringComparison.Ordinal);
    }

    public void Dispose() => _app.Dispose();
}
