using System.Collections.Concurrent;
using Arkonis.Embedded.Hosting;
using Arkonis.Embedded.Runtime;
using Dapr;
using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Arkonis.Embedded.Tests;

/// <summary>The runtime's state store and cron binding, through the real DaprClient and over HTTP, as daprd serves them.</summary>
public sealed class EmbeddedRuntimeTests
{
    private sealed record Watermark(int Minute);

    [Fact]
    public async Task State_saves_reads_and_refuses_a_stale_ETag_as_daprd_does()
    {
        await using var runtime = await EmbeddedDaprRuntime.StartAsync(new EmbeddedRuntimeOptions());
        using var dapr = new DaprClientBuilder().UseGrpcEndpoint(runtime.GrpcEndpoint).UseHttpEndpoint(runtime.HttpEndpoint).Build();

        Assert.Null(await dapr.GetStateAsync<Watermark?>("arkevent-state", "w"));
        await dapr.SaveStateAsync("arkevent-state", "w", new Watermark(1));
        var (value, etag) = await dapr.GetStateAndETagAsync<Watermark>("arkevent-state", "w");
        Assert.Equal(new Watermark(1), value);

        Assert.True(await dapr.TrySaveStateAsync("arkevent-state", "w", new Watermark(2), etag));
        Assert.False(await dapr.TrySaveStateAsync("arkevent-state", "w", new Watermark(3), etag));
        Assert.Equal(new Watermark(2), await dapr.GetStateAsync<Watermark>("arkevent-state", "w"));

        await dapr.DeleteStateAsync("arkevent-state", "w");
        Assert.Null(await dapr.GetStateAsync<Watermark?>("arkevent-state", "w"));
        await Assert.ThrowsAsync<DaprException>(() => dapr.GetStateAsync<Watermark?>("another-store", "w"));
    }

    [Fact]
    public async Task Secrets_come_from_the_secrets_file_and_only_from_the_secret_store_of_components()
    {
        await using var runtime = await EmbeddedDaprRuntime.StartAsync(new EmbeddedRuntimeOptions
        {
            SecretsFile = Path.Combine(Repo.Root, "components", "secrets.json"),
        });
        using var dapr = new DaprClientBuilder().UseGrpcEndpoint(runtime.GrpcEndpoint).Build();

        var secret = await dapr.GetSecretAsync("arkevent-secrets", "pipeline-trigger-webhook-token");

        Assert.Equal("dev-token-pipeline-trigger", secret["token"]);
        await Assert.ThrowsAsync<DaprException>(() => dapr.GetSecretAsync("kubernetes", "pipeline-trigger-webhook-token"));
    }

    [Fact]
    public async Task The_cron_binding_posts_its_route_on_the_app_channel_every_interval_as_daprd_does()
    {
        var ticks = new ConcurrentQueue<(string Method, string Path, string? ContentType, long? Length, bool TimeZone, bool ReadTime)>();
        var appPort = FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{appPort}");
        await using var app = builder.Build();
        app.Run(context =>
        {
            ticks.Enqueue((context.Request.Method, context.Request.Path, context.Request.ContentType, context.Request.ContentLength,
                context.Request.Headers.ContainsKey("timeZone"), context.Request.Headers.ContainsKey("readTimeUTC")));
            return Task.CompletedTask;
        });
        await app.StartAsync();

        await using var runtime = await EmbeddedDaprRuntime.StartAsync(new EmbeddedRuntimeOptions
        {
            CronTicks = true,
            Components = new RuntimeComponents { CronInterval = TimeSpan.FromMilliseconds(100) },
        });
        Assert.Empty(ticks);
        runtime.App.Address = new Uri($"http://127.0.0.1:{appPort}");

        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (ticks.Count < 3 && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }

        Assert.True(ticks.Count >= 3, $"{ticks.Count} ticks");
        Assert.All(ticks, tick => Assert.Equal(("POST", "/arkevent-cron", "application/json", 0L, true, true),
            (tick.Method, tick.Path, tick.ContentType, tick.Length ?? 0, tick.TimeZone, tick.ReadTime)));
    }
}
