using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Tests.Harness;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Arkonis.Dispatcher.Tests.Tracing;

public sealed record OtlpRequest(string Path, string? ContentType, byte[] Body);

/// <summary>A stand-in OTLP/HTTP collector: it keeps every request's path, content type and body.</summary>
public sealed class OtlpCollector : IDisposable
{
    private readonly WebApplication _app;

    public OtlpCollector()
    {
        Port = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(Port));
        _app = builder.Build();
        _app.MapPost("/{**path}", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            Received.Enqueue(new OtlpRequest(request.Path.Value ?? string.Empty, request.ContentType, body.ToArray()));
            return Results.Ok();
        });
        _app.StartAsync().GetAwaiter().GetResult();
    }

    public int Port { get; }

    public ConcurrentQueue<OtlpRequest> Received { get; } = new();

    public void Dispose() => _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
}

/// <summary>The dispatcher configured only by the standard <c>OTEL_*</c> settings, exporting to an <see cref="OtlpCollector"/>.</summary>
public sealed class OtlpDispatcherFixture : DispatcherFixture, IDisposable
{
    public const string ServiceName = "arkevent-otlp-test";

    public OtlpCollector Collector { get; } = new();

    // The same keys as environment variables: the OpenTelemetry SDK reads them from IConfiguration, which holds both.
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{Collector.Port}",
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_SERVICE_NAME"] = ServiceName,
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
    };

    public void Dispose() => Collector.Dispose();
}

[Collection(GlobalTelemetryCollection.Name)]
public sealed class OtlpExportTests(OtlpDispatcherFixture app) : IClassFixture<OtlpDispatcherFixture>
{
    [Fact]
    public async Task OTEL_settings_send_the_runs_spans_to_the_collector_over_http_protobuf()
    {
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire?mode=sync&timeout=20s", """{"topic":"otlp"}""");
        using var response = await app.Public.SendAsync(fire);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The batch that holds the run's span (written when the run ends): OTLP/HTTP posts protobuf to {endpoint}/v1/traces.
        var export = await Eventually.Value(
            () => app.Collector.Received.FirstOrDefault(r => Contains(r.Body, "flow.completed")),
            "an OTLP export with the run's spans", TimeSpan.FromSeconds(30));
        Assert.Equal("/v1/traces", export.Path);
        Assert.Equal("application/x-protobuf", export.ContentType);
        Assert.True(Contains(export.Body, OtlpDispatcherFixture.ServiceName), "service.name from OTEL_SERVICE_NAME");
        Assert.All(app.Collector.Received, r => Assert.False(Contains(r.Body, DispatcherFixture.Token), "an export carries the token"));
    }

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}

/// <summary>When the OTLP exporter is on (DispatcherPipeline.OtlpTracesConfigured).</summary>
public sealed class OtlpSettingsTests
{
    public static TheoryData<string, Dictionary<string, string?>, bool> Cases => new()
    {
        { "nothing set", new(), false },
        { "endpoint", new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4317" }, true },
        { "traces endpoint", new() { ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "http://collector:4318/v1/traces" }, true },
        { "blank endpoint", new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = " " }, false },
        { "exporter none", new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4317", ["OTEL_TRACES_EXPORTER"] = "none" }, false },
        { "exporter otlp", new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4317", ["OTEL_TRACES_EXPORTER"] = "otlp" }, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Exporter_is_on_only_with_an_endpoint(string name, Dictionary<string, string?> settings, bool expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        Assert.True(expected == DispatcherPipeline.OtlpTracesConfigured(configuration), name);
    }
}
