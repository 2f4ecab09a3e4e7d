using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Channels;
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
/// Test controls: <see cref="Compact"/>, <see cref="CloseWatches"/>, <see cref="SendBookmarks"/>,
/// <see cref="Unavailable"/>, <see cref="FailWith"/>.
/// </summary>
public sealed partial class KubeApiStandIn : IAsyncDisposable
{
    private static readonly Dictionary<string, ResourceType> Types = new()
    {
        ["arkevents"] = new("arkonis.dev", "v1alpha1", "ArkEvent", IsCustom: true),
        ["arkflows"] = new("arkonis.dev", "v1alpha1", "ArkFlow", IsCustom: true),
        ["secrets"] = new("", "v1", "Secret", IsCustom: false),
        ["leases"] = new("coordination.k8s.io", "v1", "Lease", IsCustom: false),
        ["events"] = new("events.k8s.io", "v1", "Event", IsCustom: false),
    };

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Plural, string Namespace, string Name), JsonObject> _objects = [];
    private readonly List<(long ResourceVersion, string Type, string Plural, JsonObject Object)> _history = [];
    private readonly List<Watcher> _watchers = [];
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private long _resourceVersion = 100;
    private long _compactedBelow;
    private volatile bool _unavailable;
    private WebApplication? _app;

    private sealed record ResourceType(string Group, string Version, string Kind, bool IsCustom)
    {
        public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

        public string GroupResource(string plural) => Group.Length == 0 ? plural : $"{plural}.{Group}";
    }

    private sealed record Watcher(string Plural, string? Namespace, string? LabelSelector, bool Bookmarks, Channel<string> Lines);

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
        CloseWatches();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    // ---- test-side access to the store (same rules as the HTTP side, minus authorization) ----

    /// <summary>Stores an object as a client's create would, but keeps its status (to seed finished flows, for example).</summary>
    public JsonObject Seed(string plural, JsonObject obj)
    {
        lock (_lock)
        {
            var copy = obj.DeepClone().AsObject();
            var ns = (string?)copy["metadata"]?["namespace"] ?? "default";
            var name = (string)copy["metadata"]!["name"]!;
            if (_objects.ContainsKey((plural, ns, name)))
            {
                throw new InvalidOperationException($"{plural} {ns}/{name} exists");
            }
            return StoreNew(plural, ns, name, copy);
        }
    }

    public JsonObject? Get(string plural, string @namespace, string name)
    {
        lock (_lock)
        {
            return _objects.TryGetValue((plural, @namespace, name), out var obj) ? obj.DeepClone().AsObject() : null;
        }
    }

    public IReadOnlyList<JsonObject> List(string plural, string? @namespace = null, string? labelSelector = null)
    {
        lock (_lock)
        {
            return [.. Matching(plural, @namespace, labelSelector).Select(o => o.DeepClone().AsObject())];
        }
    }

    /// <summary>Changes a stored object (as another client would) and tells the watchers.</summary>
    public JsonObject Update(string plural, string @namespace, string name, Action<JsonObject> mutate)
    {
        lock (_lock)
        {
            var stored = _objects[(plural, @namespace, name)];
            var next = stored.DeepClone().AsObject();
            mutate(next);
            return StoreUpdate(plural, @namespace, name, stored, next);
        }
    }

    public void Delete(string plural, string @namespace, string name)
    {
        lock (_lock)
        {
            DeleteLocked(plural, @namespace, name);
        }
    }

    /// <summary>Forgets the change history: a watch from any older resourceVersion is now expired (410).</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _compactedBelow = _resourceVersion;
            _history.Clear();
        }
    }

    /// <summary>Ends every open watch normally, as the server does when <c>timeoutSeconds</c> passes.</summary>
    public void CloseWatches()
    {
        lock (_lock)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Lines.Writer.TryComplete();
            }
            _watchers.Clear();
        }
    }

    /// <summary>Sends a BOOKMARK with the current resourceVersion to every watch that asked for bookmarks.</summary>
    public void SendBookmarks()
    {
        lock (_lock)
        {
            foreach (var watcher in _watchers.Where(w => w.Bookmarks))
            {
                var type = Types[watcher.Plural];
                var bookmark = new JsonObject
                {
                    ["apiVersion"] = type.ApiVersion,
                    ["kind"] = type.Kind,
                    ["metadata"] = new JsonObject { ["resourceVersion"] = Rv(_resourceVersion) },
                };
                watcher.Lines.Writer.TryWrite(Line("BOOKMARK", bookmark));
            }
        }
    }

    public int OpenWatches(string plural)
    {
        lock (_lock)
        {
            return _watchers.Count(w => w.Plural == plural);
        }
    }

    public int CountRequests(string method, string pathContains) =>
        _requests.Count(r => r.Method == method && r.Path.Contains(pathContains, StringComparison.Ordinal));

    // ---- HTTP ----

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var receivedAt = DateTimeOffset.UtcNow;
        var body = await new StreamReader(request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
        var reply = Unavailable
            ? Status(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "the server is currently unable to handle the request")
            : FailWith?.Invoke(request) is { } injected
                ? Status(injected, injected.ToString(), "injected failure")
                : null;
        if (reply is null)
        {
            try
            {
                reply = await RouteAsync(context, body);
            }
            catch (System.Text.Json.JsonException e)
            {
                reply = Status(HttpStatusCode.BadRequest, "BadRequest", e.Message);
            }
        }
        if (!context.Items.ContainsKey(RecordedKey))
        {
            Record(context, body, reply?.Code ?? 200, receivedAt);
        }
        if (reply is not null)
        {
            context.Response.StatusCode = reply.Code;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(reply.Body.ToJsonString(), context.RequestAborted);
        }
    }

    private sealed record Reply(int Code, JsonNode Body);

    private const string RecordedKey = "recorded";

    private void Record(HttpContext context, string body, int status, DateTimeOffset receivedAt)
    {
        var request = context.Request;
        context.Items[RecordedKey] = true;
        _requests.Enqueue(new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", request.ContentType, body,
            request.Headers.UserAgent.ToString(), status, receivedAt));
    }

    private async Task<Reply?> RouteAsync(HttpContext context, string body)
    {
        var segments = context.Request.Path.Value!.Trim('/').Split('/');
        // /api/v1/... or /apis/{group}/{version}/...
        var rest = segments[0] == "api" ? segments[2..] : segments[0] == "apis" && segments.Length > 3 ? segments[3..] : null;
        if (rest is null || rest.Length == 0)
        {
            return Status(HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource");
        }
        string? ns = null;
        if (rest[0] == "namespaces" && rest.Length >= 3)
        {
            ns = rest[1];
            rest = rest[2..];
        }
        var plural = rest[0];
        if (!Types.TryGetValue(plural, out var type))
        {
            return Status(HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource");
        }
        var name = rest.Length > 1 ? rest[1] : null;
        var subresource = rest.Length > 2 ? rest[2] : null;
        var query = context.Request.Query;
        var method = context.Request.Method;

        if (name is null)
        {
            return method switch
            {
                "GET" when query["watch"] == "true" => await WatchAsync(context, plural, type, ns),
                "GET" => ListReply(plural, type, ns, query["labelSelector"]),
                "POST" when ns is not null => Create(plural, type, ns, JsonNode.Parse(body)!.AsObject()),
                _ => Status(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", "the server does not allow this method on the requested resource"),
            };
        }
        ns ??= string.Empty;
        return method switch
        {
            "GET" => GetReply(plural, type, ns, name),
            "PUT" => Replace(plural, type, ns, name, JsonNode.Parse(body)!.AsObject()),
            "PATCH" => Patch(plural, type, ns, name, subresource == "status", context.Request.ContentType ?? "", body),
            "DELETE" => DeleteReply(plural, type, ns, name),
            _ => Status(HttpStatusCode.MethodNotAllowed, "MethodNotAllowed", "the server does not allow this method on the requested resource"),
        };
    }

    private Reply ListReply(string plural, ResourceType type, string? ns, string? labelSelector)
    {
        lock (_lock)
        {
            var items = new JsonArray([.. Matching(plural, ns, labelSelector).Select(o => (JsonNode)o.DeepClone())]);
            return new Reply(200, new JsonObject
            {
                ["apiVersion"] = type.ApiVersion,
                ["items"] = items,
                ["kind"] = type.Kind + "List",
                ["metadata"] = new JsonObject { ["continue"] = "", ["resourceVersion"] = Rv(_resourceVersion) },
            });
        }
    }

    private Reply GetReply(string plural, ResourceType type, string ns, string name)
    {
        lock (_lock)
        {
            return _objects.TryGetValue((plural, ns, name), out var obj)
                ? new Reply(200, obj.DeepClone())
                : NotFound(plural, type, name);
        }
    }

    private Reply Create(string plural, ResourceType type, string ns, JsonObject obj)
    {
        var metadata = obj["metadata"] as JsonObject ?? [];
        obj["metadata"] = metadata;
        var name = (string?)metadata["name"];
        if (name is null && (string?)metadata["generateName"] is { } prefix)
        {
            name = prefix + Guid.NewGuid().ToString("N")[..5];
            metadata["name"] = name;
        }
        if (name is null)
        {
            return Invalid(plural, type, "", "metadata.name: Required value: name or generateName is required");
        }
        metadata["namespace"] ??= ns;
        if ((string?)metadata["namespace"] != ns)
        {
            return Status(HttpStatusCode.BadRequest, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
        }
        if (plural == "events" && ValidateEvent(obj, ns) is { } eventProblem)
        {
            return Invalid(plural, type, name, eventProblem);
        }
        lock (_lock)
        {
            if (_objects.ContainsKey((plural, ns, name)))
            {
                return new Reply(409, StatusBody(409, "AlreadyExists", $"{type.GroupResource(plural)} \"{name}\" already exists", name, type, plural));
            }
            if (type.IsCustom)
            {
                obj.Remove("status"); // the status subresource: create ignores status
            }
            return new Reply(201, StoreNew(plural, ns, name, obj).DeepClone());
        }
    }

    private Reply Replace(string plural, ResourceType type, string ns, string name, JsonObject obj)
    {
        lock (_lock)
        {
            if (!_objects.TryGetValue((plural, ns, name), out var stored))
            {
                return NotFound(plural, type, name);
            }
            var sentVersion = (string?)obj["metadata"]?["resourceVersion"];
            if (sentVersion is not null && sentVersion != (string?)stored["metadata"]!["resourceVersion"])
            {
                return Conflict(plural, type, name);
            }
            if (type.IsCustom)
            {
                obj["status"] = stored["status"]?.DeepClone();
            }
            return new Reply(200, StoreUpdate(plural, ns, name, stored, obj).DeepClone());
        }
    }

    private Reply Patch(string plural, ResourceType type, string ns, string name, bool statusSubresource, string contentType, string body)
    {
        lock (_lock)
        {
            if (!_objects.TryGetValue((plural, ns, name), out var stored))
            {
                return NotFound(plural, type, name);
            }
            JsonObject patched;
            if (contentType.StartsWith("application/json-patch+json", StringComparison.Ordinal))
            {
                var result = JsonPatch.Apply(stored, JsonNode.Parse(body)!.AsArray());
                if (result.Error is not null)
                {
                    // kube-apiserver answers a failed JSON Patch (a failed "test" included) with 422.
                    return new Reply(422, StatusBody(422, "Invalid", result.Error, name, type, plural));
                }
                patched = result.Value!;
            }
            else if (contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal))
            {
                var patch = JsonNode.Parse(body)!.AsObject();
                var sentVersion = (string?)patch["metadata"]?["resourceVersion"];
                if (sentVersion is not null && sentVersion != (string?)stored["metadata"]!["resourceVersion"])
                {
                    return Conflict(plural, type, name);
                }
                patched = JsonPatch.Merge(stored, patch).AsObject();
            }
            else
            {
                return Status(HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json; got {contentType}");
            }

            if (type.IsCustom && statusSubresource)
            {
                // The status subresource changes only status.
                var next = stored.DeepClone().AsObject();
                next["status"] = patched["status"]?.DeepClone();
                patched = next;
            }
            else if (type.IsCustom)
            {
                patched["status"] = stored["status"]?.DeepClone();
            }
            patched["metadata"]!["resourceVersion"] = stored["metadata"]!["resourceVersion"]!.DeepClone();
            if (JsonNode.DeepEquals(patched, stored))
            {
                return new Reply(200, stored.DeepClone()); // a no-op patch writes nothing
            }
            return new Reply(200, StoreUpdate(plural, ns, name, stored, patched).DeepClone());
        }
    }

    private Reply DeleteReply(string plural, ResourceType type, string ns, string name)
    {
        lock (_lock)
        {
            if (!_objects.ContainsKey((plural, ns, name)))
            {
                return NotFound(plural, type, name);
            }
            DeleteLocked(plural, ns, name);
            return new Reply(200, new JsonObject
            {
                ["kind"] = "Status",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject(),
                ["status"] = "Success",
                ["details"] = new JsonObject { ["name"] = name, ["group"] = type.Group, ["kind"] = plural },
            });
        }
    }

    private async Task<Reply?> WatchAsync(HttpContext context, string plural, ResourceType type, string? ns)
    {
        var query = context.Request.Query;
        var labelSelector = (string?)query["labelSelector"];
        var bookmarks = query["allowWatchBookmarks"] == "true";
        var fromText = (string?)query["resourceVersion"];
        var watcher = new Watcher(plural, ns, labelSelector, bookmarks, Channel.CreateUnbounded<string>());
        lock (_lock)
        {
            if (long.TryParse(fromText, out var from) && from != 0)
            {
                if (from < _compactedBelow)
                {
                    var message = $"too old resource version: {from} ({_compactedBelow})";
                    if (ExpireWithHttpStatus)
                    {
                        return new Reply(410, StatusBody(410, "Expired", message, null, null, null));
                    }
                    watcher.Lines.Writer.TryWrite(Line("ERROR", StatusBody(410, "Expired", message, null, null, null)));
                    watcher.Lines.Writer.TryComplete();
                }
                else
                {
                    foreach (var (rv, eventType, p, obj) in _history.Where(h => h.ResourceVersion > from && h.Plural == plural))
                    {
                        if (Matches(obj, ns, labelSelector))
                        {
                            watcher.Lines.Writer.TryWrite(Line(eventType, obj));
                        }
                    }
                }
            }
            else
            {
                foreach (var obj in Matching(plural, ns, labelSelector))
                {
                    watcher.Lines.Writer.TryWrite(Line("ADDED", obj));
                }
            }
            if (!watcher.Lines.Reader.Completion.IsCompleted)
            {
                _watchers.Add(watcher);
            }
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        Record(context, string.Empty, 200, DateTimeOffset.UtcNow); // a watch is logged when it opens
        await context.Response.StartAsync(context.RequestAborted);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (int.TryParse(query["timeoutSeconds"], out var seconds) && seconds > 0)
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        }
        try
        {
            await foreach (var line in watcher.Lines.Reader.ReadAllAsync(timeout.Token))
            {
                await context.Response.WriteAsync(line + "\n", timeout.Token);
                await context.Response.Body.FlushAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(watcher);
            }
        }
        return null;
    }

    // ---- store internals (call with _lock held) ----

    private JsonObject StoreNew(string plural, string ns, string name, JsonObject obj)
    {
        var type = Types[plural];
        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = type.Kind;
        var metadata = obj["metadata"]!.AsObject();
        metadata["namespace"] = ns;
        metadata["uid"] ??= Guid.NewGuid().ToString();
        metadata["creationTimestamp"] ??= DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        if (type.IsCustom)
        {
            metadata["generation"] = 1;
        }
        metadata["resourceVersion"] = Rv(++_resourceVersion);
        _objects[(plural, ns, name)] = obj;
        Publish("ADDED", plural, obj);
        return obj;
    }

    private JsonObject StoreUpdate(string plural, string ns, string name, JsonObject stored, JsonObject next)
    {
        var metadata = next["metadata"]!.AsObject();
        var old = stored["metadata"]!.AsObject();
        foreach (var immutable in new[] { "uid", "creationTimestamp", "namespace", "name" })
        {
            metadata[immutable] = old[immutable]?.DeepClone();
        }
        if (Types[plural].IsCustom)
        {
            var generation = old["generation"] is { } g ? long.Parse(g.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) : 1;
            metadata["generation"] = JsonNode.DeepEquals(stored["spec"], next["spec"]) ? generation : generation + 1;
        }
        metadata["resourceVersion"] = Rv(++_resourceVersion);
        _objects[(plural, ns, name)] = next;
        Publish("MODIFIED", plural, next);
        return next;
    }

    private void DeleteLocked(string plural, string ns, string name)
    {
        if (!_objects.Remove((plural, ns, name), out var obj))
        {
            return;
        }
        obj = obj.DeepClone().AsObject();
        obj["metadata"]!["resourceVersion"] = Rv(++_resourceVersion);
        Publish("DELETED", plural, obj);
        // Garbage collection: dependents whose owner reference names this object go too.
        var uid = (string?)obj["metadata"]!["uid"];
        var dependents = _objects.Where(o => o.Key.Namespace == ns
                && o.Value["metadata"]?["ownerReferences"] is JsonArray owners
                && owners.Any(r => (string?)r?["uid"] == uid))
            .Select(o => o.Key).ToList();
        foreach (var (p, n, dependent) in dependents)
        {
            DeleteLocked(p, n, dependent);
        }
    }

    private void Publish(string eventType, string plural, JsonObject obj)
    {
        var snapshot = obj.DeepClone().AsObject();
        _history.Add((long.Parse((string)snapshot["metadata"]!["resourceVersion"]!, System.Globalization.CultureInfo.InvariantCulture), eventType, plural, snapshot));
        var line = Line(eventType, snapshot);
        foreach (var watcher in _watchers.Where(w => w.Plural == plural && Matches(snapshot, w.Namespace, w.LabelSelector)))
        {
            watcher.Lines.Writer.TryWrite(line);
        }
    }

    private IEnumerable<JsonObject> Matching(string plural, string? ns, string? labelSelector) =>
        _objects.Where(o => o.Key.Plural == plural && Matches(o.Value, ns, labelSelector))
            .OrderBy(o => o.Key.Namespace, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal)
            .Select(o => o.Value);

    private static bool Matches(JsonObject obj, string? ns, string? labelSelector)
    {
        if (ns is not null && (string?)obj["metadata"]?["namespace"] != ns)
        {
            return false;
        }
        if (string.IsNullOrEmpty(labelSelector))
        {
            return true;
        }
        var labels = obj["metadata"]?["labels"] as JsonObject;
        foreach (var term in labelSelector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var ok = term switch
            {
                _ when term.StartsWith('!') => labels?.ContainsKey(term[1..]) != true,
                _ when term.Contains("!=", StringComparison.Ordinal) => (string?)labels?[term.Split("!=")[0]] != term.Split("!=")[1],
                _ when term.Contains('=', StringComparison.Ordinal) => (string?)labels?[term.Split('=')[0]] == term.Split('=')[^1],
                _ => labels?.ContainsKey(term) == true,
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    private static string Rv(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Line(string type, JsonNode obj) => new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString();

    // ---- kube-apiserver Status bodies ----

    private static JsonObject StatusBody(int code, string reason, string message, string? name, ResourceType? type, string? plural)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (name is not null && type is not null)
        {
            var details = new JsonObject { ["name"] = name };
            if (type.Group.Length > 0)
            {
                details["group"] = type.Group;
            }
            details["kind"] = plural;
            status["details"] = details;
        }
        status["code"] = code;
        return status;
    }

    private static Reply Status(HttpStatusCode code, string reason, string message) =>
        new((int)code, StatusBody((int)code, reason, message, null, null, null));

    private static Reply NotFound(string plural, ResourceType type, string name) =>
        new(404, StatusBody(404, "NotFound", $"{type.GroupResource(plural)} \"{name}\" not found", name, type, plural));

    private static Reply Conflict(string plural, ResourceType type, string name) =>
        new(409, StatusBody(409, "Conflict",
            $"Operation cannot be fulfilled on {type.GroupResource(plural)} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            name, type, plural));

    private static Reply Invalid(string plural, ResourceType type, string name, string problem) =>
        new(422, StatusBody(422, "Invalid", $"{type.Kind} \"{name}\" is invalid: {problem}", name, type, plural));

    /// <summary>The checks kube-apiserver makes on an events.k8s.io/v1 create (ValidateEventCreate).</summary>
    private static string? ValidateEvent(JsonObject ev, string ns)
    {
        var problems = new List<string>();
        if ((string?)ev["eventTime"] is not { } time || !MicroTimeFormat().IsMatch(time))
        {
            problems.Add("eventTime: Required value (RFC 3339 with microseconds)");
        }
        if ((string?)ev["type"] is not ("Normal" or "Warning"))
        {
            problems.Add("type: Unsupported value");
        }
        foreach (var field in new[] { "reason", "action", "reportingController", "reportingInstance" })
        {
            if ((string?)ev[field] is not { Length: > 0 and <= 128 })
            {
                problems.Add($"{field}: Required value");
            }
        }
        if ((string?)ev["note"] is { Length: > 1024 })
        {
            problems.Add("note: Too long");
        }
        if ((string?)ev["regarding"]?["namespace"] != ns)
        {
            problems.Add("regarding.namespace: Invalid value: does not match event namespace");
        }
        if ((string?)ev["metadata"]?["name"] is not { } name || name.Length > 253 || !DnsSubdomain().IsMatch(name))
        {
            problems.Add("metadata.name: Invalid value");
        }
        return problems.Count == 0 ? null : string.Join(", ", problems);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")]
    private static partial Regex MicroTimeFormat();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
