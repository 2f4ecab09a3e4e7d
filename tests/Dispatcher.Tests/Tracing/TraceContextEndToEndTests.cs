using System.Diagnostics;
using System.Net;
using Arkonis.Dispatcher.Tests.Harness;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Arkonis.Dispatcher.Tests.Tracing;

/// <summary>The dispatcher's spans kept in memory (the real TracerProvider of the app, plus an in-memory exporter).</summary>
public sealed class TracedDispatcherFixture : DispatcherFixture
{
    private HttpClient? _caller;

    public SpanCollection Spans { get; } = new();

    /// <summary>
    /// A client for the public port that leaves <c>traceparent</c> as the test sets it, as curl would: an HttpClient in
    /// this process (where listeners are on) would otherwise replace it with a span of its own.
    /// </summary>
    public HttpClient Caller => _caller ??= new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null })
    {
        BaseAddress = Public.BaseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans));
}

/// <summary>
/// A caller's W3C trace context goes with the fire through the launch, the workflow and its activity to the flow
/// runner's request, and the completion comes back linked to it. The embedded runtime stands in for daprd and the
/// flow runner; daprd forwards <c>traceparent</c> on service invocation (dapr/dapr <c>pkg/messaging/direct_messaging.go</c>
/// sets it from the span context of the incoming call), which the embedded runtime does by serving the flow runner
/// on the very request the dispatcher sends.
/// </summary>
[Collection(GlobalTelemetryCollection.Name)]
public sealed class TraceContextEndToEndTests(TracedDispatcherFixture app) : IClassFixture<TracedDispatcherFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_callers_traceparent_reaches_the_flow_runner_and_the_completion_links_back()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();
        const string bodyMarker = "body-marker-5f1c";
        using var fire = DispatcherFixture.Authorized(
            HttpMethod.Post, "/triggers/default/hello/fire?mode=sync&timeout=20s", $$"""{"topic":"{{bodyMarker}}"}""");
        fire.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");
        using var response = await app.Caller.SendAsync(fire);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var runId = Assert.Single(app.Sidecar.FlowStarts.Snapshot(), s => s.Request.Input?["topic"]?.ToString() == bodyMarker).Request.RunId;

        // The flow runner saw the caller's trace id.
        var start = Assert.Single(app.Sidecar.FlowStarts.Snapshot(), s => s.Request.RunId == runId);
        Assert.NotNull(start.TraceParent);
        Assert.True(ActivityContext.TryParse(start.TraceParent, null, out var seen));
        Assert.Equal(traceId, seen.TraceId);

        // fire (server) → run.start → flow.start (client) → the HTTP call whose span id the runner saw; run → run.start.
        var server = await app.Spans.SingleAsync(s => s.TraceId == traceId && IsFire(s), "the fire's server span", Deadline);
        Assert.Equal(callerSpan, server.ParentSpanId);
        var launch = await app.Spans.SingleAsync(s => s.TraceId == traceId && s.OperationName == "run.start", "run.start", Deadline);
        Assert.Equal(server.SpanId, launch.ParentSpanId);
        AssertTags(launch, ("arkevent.namespace", "default"), ("arkevent.event", "hello"), ("arkevent.run.id", runId), ("arkevent.cause", "webhook"));
        var flowStart = await app.Spans.SingleAsync(s => s.TraceId == traceId && s.OperationName == "flow.start", "flow.start", Deadline);
        Assert.Equal(ActivityKind.Client, flowStart.Kind);
        Assert.Equal(launch.SpanId, flowStart.ParentSpanId);
        AssertTags(flowStart, ("arkevent.pipeline", "echo"), ("arkevent.run.id", runId), ("arkevent.outcome", "started"));
        var call = await app.Spans.SingleAsync(s => s.TraceId == traceId && s.SpanId == seen.SpanId, "the flow runner's request span", Deadline);
        Assert.Equal(flowStart.SpanId, call.ParentSpanId);
        var run = await app.Spans.SingleAsync(s => s.TraceId == traceId && s.OperationName == "run", "the run's span", Deadline);
        Assert.Equal(launch.SpanId, run.ParentSpanId);
        AssertTags(run, ("arkevent.run.status", "Succeeded"));

        // The completion comes back into the run's trace: a child of the request the runner answered (whose traceparent
        // the runner echoed in the message).
        var completion = await app.Spans.SingleAsync(s => s.TraceId == traceId && s.OperationName == "flow.completed", "flow.completed", Deadline);
        Assert.Equal(seen.SpanId, completion.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, completion.Kind);
        AssertTags(completion, ("arkevent.run.id", runId), ("arkevent.pipeline", "echo"));
        AssertTags(completion, ("arkevent.flow.phase", "Succeeded"), ("arkevent.outcome", "routed"));

        // ... and links to its delivery: the server span of the runtime's POST to the subscription route, in the same
        // trace, since the runner published inside the flow's context and the runtime carried it as daprd does (the
        // CloudEvent's traceparent, then the delivery's header; src/Embedded/Runtime/PubSubTrace.cs cites daprd).
        var link = Assert.Single(completion.Links);
        Assert.Equal(traceId, link.Context.TraceId);
        var delivery = await app.Spans.SingleAsync(s => s.SpanId == link.Context.SpanId, "the delivery's server span", Deadline);
        Assert.Equal(ActivityKind.Server, delivery.Kind);
        Assert.Equal("/dapr/flow-completed", delivery.GetTagItem("url.path"));
        Assert.NotEqual(default, delivery.ParentSpanId);

        // Nothing of the request's secrets or data in any span of this run.
        foreach (var span in app.Spans.Snapshot().Where(s => s.TraceId == traceId))
        {
            foreach (var (key, value) in span.TagObjects)
            {
                var text = value?.ToString() ?? string.Empty;
                Assert.DoesNotContain(DispatcherFixture.Token, text, StringComparison.Ordinal);
                Assert.DoesNotContain(bodyMarker, text, StringComparison.Ordinal);
                Assert.False(key.StartsWith("http.request.header", StringComparison.Ordinal), $"{span.OperationName} records header {key}");
            }
        }
    }

    [Fact]
    public async Task Without_a_traceparent_the_fire_starts_a_trace_of_its_own_that_still_reaches_the_flow_runner()
    {
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire", """{"topic":"own-trace"}""");
        using var response = await app.Caller.SendAsync(fire);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var start = await Eventually.Value(
            () => app.Sidecar.FlowStarts.Snapshot().Where(s => s.Request.Input?["topic"]?.ToString() == "own-trace").Select(s => s.TraceParent).FirstOrDefault(),
            "the flow start with a traceparent", Deadline);
        Assert.True(ActivityContext.TryParse(start, null, out var seen));
        var launch = await app.Spans.SingleAsync(s => s.TraceId == seen.TraceId && s.OperationName == "run.start", "run.start", Deadline);
        var server = await app.Spans.SingleAsync(s => s.TraceId == seen.TraceId && IsFire(s), "the fire's server span", Deadline);
        Assert.Equal(default, server.ParentSpanId);
        Assert.Equal(server.SpanId, launch.ParentSpanId);
    }

    [Fact]
    public async Task Background_calls_to_the_sidecar_start_no_traces()
    {
        using var fire = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire?mode=sync&timeout=20s", """{"topic":"quiet"}""");
        using var response = await app.Public.SendAsync(fire);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The workflow worker polls and completes work items outside any trace: none of that is recorded as a root.
        await app.Spans.FirstAsync(s => s.OperationName == "run" && (string?)s.GetTagItem("arkevent.run.status") == "Succeeded", "a finished run", Deadline);
        Assert.DoesNotContain(app.Spans.Snapshot(), s => s.Kind == ActivityKind.Client && s.ParentSpanId == default);
        // Requests other than the trigger API's and daprd's (the runtime's own endpoints, health, metrics) make no spans.
        Assert.DoesNotContain(app.Spans.Snapshot(), s => s.Source.Name == "Microsoft.AspNetCore" &&
            (s.GetTagItem("url.path") is not string path ||
             !path.StartsWith("/triggers/", StringComparison.Ordinal) && !path.StartsWith("/dapr/", StringComparison.Ordinal)));
    }

    /// <summary>The trigger API's server span (the completion's delivery is a server span of the same trace too).</summary>
    private static bool IsFire(Activity span) =>
        span.Kind == ActivityKind.Server && span.GetTagItem("url.path") is string path && path.StartsWith("/triggers/", StringComparison.Ordinal);

    private static void AssertTags(Activity span, params (string Key, string? Value)[] expected)
    {
        foreach (var (key, value) in expected)
        {
            Assert.Equal(value, span.GetTagItem(key)?.ToString());
        }
    }
}

/// <summary>Exported spans, safe to read while the exporter adds to it.</summary>
public sealed class SpanCollection : ICollection<Activity>
{
    private readonly List<Activity> _spans = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _spans.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public IReadOnlyList<Activity> Snapshot()
    {
        lock (_lock)
        {
            return [.. _spans];
        }
    }

    /// <summary>Waits for a span that matches.</summary>
    public Task<Activity> FirstAsync(Func<Activity, bool> match, string what, TimeSpan deadline) =>
        Eventually.Value(() => Snapshot().FirstOrDefault(match), what, deadline);

    /// <summary>Waits for a span that matches; it must be the only one.</summary>
    public async Task<Activity> SingleAsync(Func<Activity, bool> match, string what, TimeSpan deadline)
    {
        await FirstAsync(match, what, deadline);
        return Assert.Single(Snapshot(), s => match(s));
    }

    public void Add(Activity item)
    {
        lock (_lock)
        {
            _spans.Add(item);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _spans.Clear();
        }
    }

    public bool Contains(Activity item) => Snapshot().Contains(item);

    public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().ToList().CopyTo(array, arrayIndex);

    public bool Remove(Activity item)
    {
        lock (_lock)
        {
            return _spans.Remove(item);
        }
    }

    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
