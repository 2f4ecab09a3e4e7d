using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Tests.Harness;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Tests.Triggers.Webhook;

/// <summary>
/// Connection limits shorter than the defaults (10 s headers, 5 s body grace, 130 s keep-alive), so a test waits
/// seconds, and far shorter than Kestrel's own (30 s headers), so a test fails if the dispatcher stops applying them.
/// </summary>
public sealed class SlowClientFixture : DispatcherFixture
{
    public static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(3);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["TriggerApi:TokenCacheTtl"] = "00:00:00.200",
        ["Connections:RequestHeadersTimeout"] = "00:00:03",
        ["Connections:MinRequestBodyGracePeriod"] = "00:00:02",
        ["Connections:KeepAliveTimeout"] = "00:00:03",
    };
}

/// <summary>
/// Slow clients over real sockets against the real Kestrel of the dispatcher: a slowloris (headers a byte at a time),
/// a slow body (a few bytes a second) and an idle keep-alive are cut by the server, and other callers' fires are
/// answered meanwhile. Kestrel answers a cut request 408 when it still can (dotnet/aspnetcore
/// src/Servers/Kestrel/Core/src/Internal/Http/Http1Connection.cs, OnRequestHeadersTimeout / OnInputOrOutputCompleted;
/// the body rate is checked by TimeoutControl.cs on its one-second heartbeat).
/// </summary>
public sealed class SlowClientTests(SlowClientFixture app) : IClassFixture<SlowClientFixture>
{
    private const int Attackers = 20;

    /// <summary>Generous for a loaded machine, yet under the dispatcher's defaults' 10 s and Kestrel's 30 s.</summary>
    private static readonly TimeSpan CutWithin = TimeSpan.FromSeconds(9);

    [Fact]
    public async Task A_slowloris_is_cut_by_the_header_timeout_while_other_fires_are_answered()
    {
        var port = app.Ports.Public;
        var head = Encoding.ASCII.GetBytes("POST /triggers/default/hello/fire HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
        var attack = Enumerable.Range(0, Attackers)
            .Select(_ => TrickleAsync(port, head, TimeSpan.FromMilliseconds(100), CutWithin + TimeSpan.FromSeconds(3)))
            .ToArray();

        await FiresAreAnsweredAsync();
        var outcomes = await Task.WhenAll(attack);

        foreach (var outcome in outcomes)
        {
            Assert.True(outcome.ClosedByServer, $"the server kept a slowloris open for {outcome.Elapsed}");
            Assert.True(outcome.Elapsed < CutWithin, $"a slowloris was cut only after {outcome.Elapsed}");
            Assert.True(outcome.Elapsed >= SlowClientFixture.HeadersTimeout - TimeSpan.FromSeconds(1), $"cut after {outcome.Elapsed}, before its time");
            Assert.True(outcome.Response is "" || outcome.Response.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), outcome.Response);
        }
    }

    [Fact]
    public async Task A_slow_body_is_cut_by_the_minimum_data_rate_while_other_fires_are_answered()
    {
        var port = app.Ports.Public;
        // Authenticated, so the dispatcher really reads the body (it reads nothing of an unauthenticated one).
        var head = Encoding.ASCII.GetBytes(
            "POST /triggers/default/hello/fire HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
            $"Authorization: Bearer {DispatcherFixture.Token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"a\":\"");
        // Four bytes a second, far under 240 bytes/s.
        var attack = Enumerable.Range(0, Attackers)
            .Select(_ => TrickleAsync(port, head, TimeSpan.FromMilliseconds(250), CutWithin + TimeSpan.FromSeconds(3)))
            .ToArray();

        await FiresAreAnsweredAsync();
        var outcomes = await Task.WhenAll(attack);

        foreach (var outcome in outcomes)
        {
            Assert.True(outcome.ClosedByServer, $"the server kept a slow body open for {outcome.Elapsed}");
            Assert.True(outcome.Elapsed < CutWithin, $"a slow body was cut only after {outcome.Elapsed}");
            // Never a 5xx: the cut is the client's doing, and the dispatcher says so (408) before the connection closes.
            Assert.StartsWith("HTTP/1.1 408", outcome.Response, StringComparison.Ordinal);
            Assert.Contains("https://arkonis.dev/problems/body-too-slow", outcome.Response, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, app.Ports.Public);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        var idle = Stopwatch.StartNew();
        var received = new MemoryStream();
        var closed = ReadUntilClosedAsync(socket, received);

        Assert.Same(closed, await Task.WhenAny(closed, Task.Delay(CutWithin)));
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(received.ToArray()), StringComparison.Ordinal);
        Assert.True(idle.Elapsed < CutWithin, $"idle for {idle.Elapsed}");
    }

    [Fact]
    public void The_limits_reach_Kestrel_and_the_defaults_are_documented_ones()
    {
        var limits = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        Assert.Equal(SlowClientFixture.HeadersTimeout, limits.RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), limits.KeepAliveTimeout);
        Assert.Equal(240, limits.MinRequestBodyDataRate!.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(2), limits.MinRequestBodyDataRate.GracePeriod);
        Assert.Null(limits.MaxConcurrentConnections);

        var defaults = new ConnectionLimitsOptions();
        Assert.Equal(TimeSpan.FromSeconds(10), defaults.RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromSeconds(130), defaults.KeepAliveTimeout);
        Assert.Equal(240, defaults.MinRequestBodyBytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(5), defaults.MinRequestBodyGracePeriod);
    }

    /// <summary>While the slow connections are open, ordinary callers fire and are answered at once.</summary>
    private async Task FiresAreAnsweredAsync()
    {
        for (var i = 0; i < 10; i++)
        {
            var watch = Stopwatch.StartNew();
            using var request = DispatcherFixture.Authorized(HttpMethod.Post, "/triggers/default/hello/fire", "{}");
            using var response = await app.Public.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"a fire took {watch.Elapsed} beside the slow clients");
        }
    }

    private sealed record TrickleOutcome(bool ClosedByServer, TimeSpan Elapsed, string Response);

    /// <summary>Sends <paramref name="head"/>, then one byte per <paramref name="interval"/> until the server closes or time runs out.</summary>
    private static async Task<TrickleOutcome> TrickleAsync(int port, byte[] head, TimeSpan interval, TimeSpan giveUp)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var watch = Stopwatch.StartNew();
        await socket.SendAsync(head);
        var received = new MemoryStream();
        var closed = ReadUntilClosedAsync(socket, received);
        var one = "a"u8.ToArray();
        while (!closed.IsCompleted && watch.Elapsed < giveUp)
        {
            try
            {
                await socket.SendAsync(one);
            }
            catch (SocketException)
            {
                break; // the server reset the connection: its reader sees that too
            }
            // The attacker's pace, not a wait for the server: the close ends the wait at once.
            await Task.WhenAny(closed, Task.Delay(interval));
        }
        await Task.WhenAny(closed, Task.Delay(TimeSpan.FromSeconds(1)));
        watch.Stop();
        return new TrickleOutcome(closed.IsCompleted, watch.Elapsed, Encoding.ASCII.GetString(received.ToArray()));
    }

    /// <summary>Completes when the server closes (end of stream) or resets the connection.</summary>
    private static async Task ReadUntilClosedAsync(Socket socket, MemoryStream received)
    {
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // A reset is a close too.
        }
        catch (ObjectDisposedException)
        {
            // The test gave up on this connection and closed it itself.
        }
    }
}
