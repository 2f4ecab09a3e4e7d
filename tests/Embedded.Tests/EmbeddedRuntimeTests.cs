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

/// <summary>The runtime's state store, API token and cron binding, through the real DaprClient and over HTTP, as daprd serves them.</summary>
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
    public async Task A_first_write_save_without_an_ETag_inserts_only_when_the_key_is_absent_as_daprd_does()
    {
        await using var runtime = await EmbeddedDaprRuntime.StartAsync(new EmbeddedRuntimeOptions());
        using var dapr = new DaprClientBuilder().UseGrpcEndpoint(runtime.GrpcEndpoint).UseHttpEndpoint(runtime.HttpEndpoint).Build();
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };

        Assert.True(await dapr.TrySaveStateAsync("arkevent-state", "claim", new Watermark(1), string.Empty, firstWrite));
        Assert.False(await dapr.TrySaveStateAsync("arkevent-state", "claim", new Watermark(2), string.Empty, firstWrite));
        Assert.Equal(new Watermark(1), await dapr.GetStateAsync<Watermark>("arkevent-state", "claim"));

        // With the current ETag a first-write save replaces the value; a plain save (last-write) always does.
        var (_, etag) = await dapr.GetStateAndETagAsync<Watermark>("arkevent-state", "claim");
        Assert.True(await dapr.TrySaveStateAsync("arkevent-state", "claim", new Watermark(3), etag, firstWrite));
        await dapr.SaveStateAsync("arkevent-state", "claim", new Watermark(4));
        Assert.Equal(new Watermark(4), await dapr.GetStateAsync<Watermark>("arkevent-state", "claim"));
        Assert.Equal(["claim"], runtime.State.Keys());
    }

    [Fact]
    public async Task With_an_API_token_every_call_without_it_is_refused_on_both_ports_as_daprd_does()
    {
        await using var runtime = await EmbeddedDaprRuntime.StartAsync(new EmbeddedRuntimeOptions
        {
            Daprd = new DaprdBehaviour { ApiToken = "embedded-token" },
        });
        using var withoutToken = new DaprClientBuilder().UseGrpcEndpoint(runtime.GrpcEndpoint).UseHttpEndpoint(runtime.HttpEndpoint)
            .UseDaprApiToken(string.Empty).Build();
        using var withToken = new DaprClientBuilder().UseGrpcEndpoint(runtime.GrpcEndpoint).UseHttpEndpoint(runtime.HttpEndpoint)
            .UseDaprApiToken("embedded-token").Build();

        var refused = await Assert.ThrowsAsync<DaprException>(() => withoutToken.GetStateAsync<Watermark?>("arkevent-state", "w"));
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, Assert.IsType<Grpc.Core.RpcException>(refused.InnerException).StatusCode);
        await withToken.SaveStateAsync("arkevent-state", "w", new Watermark(1));
        Assert.Equal(new Watermark(1), await withToken.GetStateAsync<Watermark>("arkevent-state", "w"));

        using var http = new HttpClient { BaseAddress = new Uri(runtime.HttpEndpoint) };
        using (var response = await http.GetAsync("/v1.0/invoke/flow-runner/method/healthz"))
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1.0/invoke/flow-runner/method/healthz");
        request.Headers.Add("dapr-api-token", "embedded-token");
        using (var response = await http.SendAsync(request))
        {
            Assert.NotEqual(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        }
        Assert.Contains("/v1.0/invoke/flow-runner/method/healthz", runtime.Daprd.Unauthenticated);
    }

    [Fact]
    public async Task Without_an_API_token_nothing_is_refused_for_one()
    {
        await using var runtime = await EmbeddedDaprRuntime.StartAsync(new EmbeddedRuntimeOptions());
        using var dapr = new DaprClientBuilder().UseGrpcEndpoint(runtime.GrpcEndpoint).UseDaprApiToken(string.Empty).Build();

        Assert.Null(await dapr.GetStateAsync<Watermark?>("arkevent-state", "w"));
        Assert.Null(runtime.Daprd.ApiToken);
        Assert.Equal(TimeSpan.Zero, runtime.Daprd.StartDelay);
        Assert.Empty(runtime.Daprd.Unauthenticated);
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
