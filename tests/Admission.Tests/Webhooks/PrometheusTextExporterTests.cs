using System.Diagnostics.Metrics;
using Arkonis.Admission.Observability;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Admission.Tests.Webhooks;

public sealed class PrometheusTextExporterTests
{
    [Fact]
    public async Task Every_measurement_lands_in_the_series_of_its_tags()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var exporter = new PrometheusTextExporter(factory);
        await exporter.StartAsync(CancellationToken.None);
        var metrics = new AdmissionMetrics(factory);
        var counter = factory.Create(AdmissionMetrics.MeterName).CreateCounter<long>("test.values");

        for (var i = 0; i < 1000; i++)
        {
            metrics.Record("validate", i % 4 == 0 ? AdmissionResults.Denied : AdmissionResults.Allowed, TimeSpan.FromMilliseconds(0.7));
        }

        metrics.Record("mutate", AdmissionResults.Allowed, TimeSpan.FromMilliseconds(3));
        counter.Add(2, new KeyValuePair<string, object?>("n", 1));
        counter.Add(3, new KeyValuePair<string, object?>("n", "1"));
        var text = exporter.Render();

        Assert.Contains("arkevent_admission_requests_total{operation=\"validate\",result=\"allowed\"} 750\n", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_requests_total{operation=\"validate\",result=\"denied\"} 250\n", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_request_duration_seconds_bucket{operation=\"validate\",result=\"allowed\",le=\"0.0005\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_request_duration_seconds_bucket{operation=\"validate\",result=\"allowed\",le=\"0.001\"} 750\n", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_request_duration_seconds_bucket{operation=\"mutate\",result=\"allowed\",le=\"0.0025\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("arkevent_admission_request_duration_seconds_bucket{operation=\"mutate\",result=\"allowed\",le=\"0.005\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("test_values_total{n=\"1\"} 5\n", text, StringComparison.Ordinal);
        Assert.Equal(1, text.Split('\n').Count(l => l.StartsWith("test_values_total{", StringComparison.Ordinal)));
    }
}
