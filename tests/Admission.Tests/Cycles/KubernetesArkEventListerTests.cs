using System.Collections.Concurrent;
using Arkonis.Admission.Cycles;
using k8s;
using k8s.Autorest;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Arkonis.Admission.Tests.Cycles;

/// <summary>The KubernetesClient adapter against a canned API server on a loopback port (the MockKubeApiServer pattern).</summary>
public sealed class KubernetesArkEventListerTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _requests = new();
    private WebApplication? _server;
    private KubernetesArkEventLister? _lister;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _server = builder.Build();
        _server.Use(async (context, next) =>
        {
            _requests.Enqueue(context.Request.Method + " " + context.Request.Path + context.Request.QueryString);
            await next(context);
        });
        _server.MapGet("/apis/arkonis.dev/v1alpha1/namespaces/ai-team/arkevents", () => Results.Text("""
            {"apiVersion":"arkonis.dev/v1alpha1","kind":"ArkEventList","metadata":{"resourceVersion":"42"},"items":[
              {"apiVersion":"arkonis.dev/v1alpha1","kind":"ArkEvent","metadata":{"name":"a","namespace":"ai-team","creationTimestamp":"2026-11-28T08:00:00Z"},
               "spec":{"source":{"type":"flow-output","flow":"x"},"targets":[{"pipeline":"y"}]},"status":{"firedCount":3}},
              {"apiVersion":"arkonis.dev/v1alpha1","kind":"ArkEvent","metadata":{"name":"b","namespace":"ai-team"},
               "spec":{"source":{"type":"cron","cron":"0 8 * * *"},"targets":[{"pipeline":"z","input":{"k":"v"}}]}}]}
            """, "application/json"));
        _server.MapGet("/apis/arkonis.dev/v1alpha1/namespaces/locked/arkevents", () => Results.Text(
            """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"arkevents.arkonis.dev is forbidden","reason":"Forbidden","code":403}""",
            "application/json", statusCode: 403));
        await _server.StartAsync();
        var address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _lister = new KubernetesArkEventLister(new Kubernetes(new KubernetesClientConfiguration { Host = address }));
    }

    public async Task DisposeAsync()
    {
        _lister?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Lists_the_arkevents_of_the_namespace_through_the_custom_objects_api()
    {
        var events = await _lister!.ListAsync("ai-team", CancellationToken.None);

        Assert.Equal(["a", "b"], events.Select(e => e.Name));
        Assert.Equal("x", events[0].Spec.Source!.Flow);
        Assert.Equal("v", events[1].Spec.Targets![0].Input!["k"]);
        Assert.Equal("GET /apis/arkonis.dev/v1alpha1/namespaces/ai-team/arkevents?watch=false", Assert.Single(_requests));
    }

    [Fact]
    public async Task Forbidden_surfaces_as_an_exception_the_cycle_check_turns_into_a_warning()
    {
        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => _lister!.ListAsync("locked", CancellationToken.None));
        Assert.Contains("Forbidden", ex.Message, StringComparison.Ordinal);
    }
}
