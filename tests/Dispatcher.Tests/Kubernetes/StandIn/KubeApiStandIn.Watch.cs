using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

/// <summary>
/// Watch streams: 200, chunked, one flushed JSON event per line. From resourceVersion 0 (or none) the current objects
/// as ADDED; from a later one the history after it; from a compacted one a single ERROR 410 "Expired" event and the
/// end of the stream (kube-apiserver's cacher: <c>newErrWatcher</c>), or HTTP 410 with <see cref="ExpireWithHttpStatus"/>.
/// BOOKMARKs on request or every <see cref="BookmarkInterval"/> (the cacher sends one about every minute), and any
/// other in-stream ERROR a watch can end with (<see cref="BreakWatchesFrom"/>), <c>timeoutSeconds</c> honoured.
/// </summary>
public sealed partial class KubeApiStandIn
{
    private readonly List<Watcher> _watchers = [];
    private readonly HashSet<string> _brokenFrom = [];
    private Timer? _bookmarkTimer;

    /// <summary>When set, a BOOKMARK goes to every watch that asked for bookmarks this often.</summary>
    public TimeSpan? BookmarkInterval
    {
        get;
        set
        {
            field = value;
            _bookmarkTimer?.Dispose();
            _bookmarkTimer = value is { } every ? new Timer(_ => SendBookmarks(), null, every, every) : null;
        }
    }

    /// <summary>
    /// Every watch from exactly <paramref name="resourceVersion"/> ends with an in-stream ERROR 500 (not 410): the server
    /// cannot serve the watch from there, though the version is not known to be too old (an etcd or decoding failure).
    /// </summary>
    public void BreakWatchesFrom(string resourceVersion)
    {
        lock (_lock)
        {
            _brokenFrom.Add(resourceVersion);
        }
    }

    private sealed record Watcher(string Plural, string? Namespace, string? LabelSelector, bool Bookmarks, Channel<string> Lines);

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

    /// <summary>How many BOOKMARK lines were queued to watches so far.</summary>
    public int BookmarksSent { get; private set; }

    /// <summary>Sends a BOOKMARK with the current resourceVersion to every watch that asked for bookmarks.</summary>
    public void SendBookmarks()
    {
        lock (_lock)
        {
            foreach (var watcher in _watchers.Where(w => w.Bookmarks))
            {
                BookmarksSent++;
                var type = ResourceType.ByPlural[watcher.Plural];
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

    private async Task<Reply?> WatchAsync(HttpContext context, string plural, string? ns)
    {
        var query = context.Request.Query;
        var labelSelector = (string?)query["labelSelector"];
        var bookmarks = query["allowWatchBookmarks"] == "true";
        var fromText = (string?)query["resourceVersion"];
        var watcher = new Watcher(plural, ns, labelSelector, bookmarks, Channel.CreateUnbounded<string>());
        lock (_lock)
        {
            if (fromText is not null && _brokenFrom.Contains(fromText))
            {
                watcher.Lines.Writer.TryWrite(Line("ERROR", ApiStatus.Body(500, "InternalError", $"Internal error occurred: cannot watch from resource version {fromText}")));
                watcher.Lines.Writer.TryComplete();
            }
            else if (long.TryParse(fromText, out var from) && from != 0)
            {
                if (from < _compactedBelow)
                {
                    var message = $"too old resource version: {from} ({_compactedBelow})";
                    if (ExpireWithHttpStatus)
                    {
                        return new Reply(410, ApiStatus.Body(410, "Expired", message));
                    }
                    watcher.Lines.Writer.TryWrite(Line("ERROR", ApiStatus.Body(410, "Expired", message)));
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

    /// <summary>Records a change in the history and sends it to the watches it matches (call with _lock held).</summary>
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

    private static string Line(string type, JsonNode obj) => new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString();
}
