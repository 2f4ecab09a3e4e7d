using System.Collections.Concurrent;
using System.Net;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

/// <summary>A request the stand-in answered.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string? ContentType, string Body, string UserAgent, int Status, DateTimeOffset ReceivedAt);

/// <summary>
/// A Kubernetes API server for tests: Kestrel on a loopback port, speaking the REST and watch protocol for the
/// paths the dispatcher uses, with response bodies shaped like kube-apiserver's (see shared/reference/kubernetes.md).
/// An in-memory object store with one resourceVersion counter; list; chunked watch streams (ADDED, MODIFIED,
/// DELETED, BOOKMARK, and the ERROR 410 of an expired resourceVersion); get; create (409 AlreadyExists); replace
/// (409 Conflict on a stale resourceVersion); JSON merge patch and JSON patch (a failed <c>test</c> = 422), on the
/// object or its status subresource; delete (with owner-reference cascade); label selectors.
/// Deletion with finalizers and an asynchronous garbage collector (foreground and background propagation).
/// Test controls: <see cref="Compact"/>, <see cref="CloseWatches"/>, <see cref="SendBookmarks"/>, <see cref="BookmarkInterval"/>,
/// <see cref="BreakWatchesFrom"/>, <see cref="PauseGarbageCollector"/>, <see cref="CollectGarbage"/>,
/// <see cref="Unavailable"/>, <see cref="FailWith"/>.
/// </summary>
/// <remarks>
/// One class in parts, one concern each, all under one lock (a change and the watch lines it sends are one step):
/// this file (start, client, test controls), <c>.Routing</c> (HTTP plumbing, URL to verb), <c>.Store</c> (objects,
/// resourceVersion, history, label selectors), <c>.Deletion</c> (finalizers, garbage collection), <c>.Verbs</c> (list,
/// get, create, replace, delete), <c>.Patch</c> (JSON patch, merge patch, the status subresource), <c>.Watch</c> (streams
/// and bookmarks), <c>.Schema</c> (deploy/crd installed: schema defaults, pruning, validation and CEL rules between the
/// mutating and validating webhooks a test wires, as kube-apiserver orders them);
/// beside it <see cref="ResourceType"/> (the served kinds), <see cref="ApiStatus"/> (Status bodies),
/// <see cref="EventValidation"/> (events.k8s.io create checks) and <see cref="MergePatch"/> (RFC 7386).
/// </remarks>
public sealed partial class KubeApiStandIn : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private volatile bool _unavailable;
    private WebApplication? _app;

    public string Url { get; private set; } = string.Empty;

    /// <summary>Every request answered, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>When set, every request is answered 503 and open watches are closed, as during an API server restart.</summary>
    public bool Unavailable
    {
        get => _unavailable;
        set
        {
            _unavailable = value;
            if (value)
            {
                CloseWatches();
            }
        }
    }

    /// <summary>Expired watches answer HTTP 410 instead of 200 with an in-stream ERROR event.</summary>
    public bool ExpireWithHttpStatus { get; set; }

    /// <summary>Fault injection: return a status code to fail a request with it (a kube-apiserver Status body).</summary>
    public Func<HttpRequest, HttpStatusCode?>? FailWith { get; set; }

    public static async Task<KubeApiStandIn> StartAsync()
    {
        var standIn = new KubeApiStandIn();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        standIn._app = app;
        standIn.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return standIn;
    }

    /// <summary>A real KubernetesClient pointed at this server; the user agent names the caller in <see cref="Requests"/>.</summary>
    public IKubernetes NewClient(string userAgent = "test") =>
        new k8s.Kubernetes(new KubernetesClientConfiguration { Host = Url, UserAgent = userAgent });

    public async ValueTask DisposeAsync()
    {
        BookmarkInterval = null;
        CloseWatches();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    public int CountRequests(string method, string pathContains) =>
        _requests.Count(r => r.Method == method && r.Path.Contains(pathContains, StringComparison.Ordinal));

    private static string Rv(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
