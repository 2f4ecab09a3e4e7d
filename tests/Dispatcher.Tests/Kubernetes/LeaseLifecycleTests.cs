using System.Net;
using System.Net.Sockets;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>
/// The Lease over a replica's life, as client-go's elector (<c>staging/src/k8s.io/client-go/tools/leaderelection/leaderelection.go</c>):
/// released on shutdown (<c>ReleaseOnCancel</c>: holderIdentity cleared), no renewing once leadership is lost, and an
/// API server that does not answer at start is waited for rather than stopping the host.
/// </summary>
public sealed class LeaseLifecycleTests(ITestOutputHelper output)
{
    private static string? Holder(KubeApiStandIn api) =>
        (string?)api.Get("leases", "arkonis-system", "arkevent-dispatcher-leader")?["spec"]?["holderIdentity"];

    [Fact]
    public async Task A_leader_that_shuts_down_releases_the_lease_and_the_follower_takes_over_without_waiting_it_out()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        // A long lease: without the release the follower would wait 10 s.
        var settings = new Dictionary<string, string?>
        {
            ["Dispatcher:Kubernetes:LeaseDuration"] = "00:00:10",
            ["Dispatcher:Kubernetes:RenewDeadline"] = "00:00:05",
        };
        var a = await Replica.StartAsync(api, "pod-a", settings);
        await Eventually.Until(() => a.Leadership.IsLeader, "pod-a leads");
        await using var b = await Replica.StartAsync(api, "pod-b", settings);
        await Eventually.Until(() => b.Leadership.CurrentLeader == "pod-a", "pod-b sees pod-a lead");

        await a.DisposeAsync();
        Assert.NotEqual("pod-a", Holder(api));
        var stopped = DateTime.UtcNow;
        await Eventually.Until(() => b.Leadership.IsLeader, "pod-b takes over", TimeSpan.FromSeconds(5));
        output.WriteLine($"takeover {(DateTime.UtcNow - stopped).TotalMilliseconds:F0} ms after the release (lease duration 10 s)");
        Assert.Equal("pod-b", Holder(api));
    }

    [Fact]
    public async Task After_losing_leadership_only_one_loop_tries_the_lease()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        await using var replica = await Replica.StartAsync(api, "pod-a");
        await Eventually.Until(() => replica.Leadership.IsLeader, "leads");

        api.FailWith = r => r.Path.Value!.Contains("/leases", StringComparison.Ordinal) ? HttpStatusCode.InternalServerError : null;
        await Eventually.Until(() => !replica.Leadership.IsLeader, "stepped down", TimeSpan.FromSeconds(10));
        var from = api.Requests.Count;
        bool IsLeaseRead(RecordedRequest r) => r.Method == "GET" && r.Path.Contains("/leases/", StringComparison.Ordinal);
        await Eventually.Until(() => api.Requests.Skip(from).Count(IsLeaseRead) >= 10, "ten more tries");

        // One acquire loop tries every RetryPeriod (200 ms); the renew loop left running from the lost term would add a
        // second one, out of step with the first.
        var tries = api.Requests.Skip(from).Where(IsLeaseRead).Select(r => r.ReceivedAt).ToList();
        var gaps = tries.Zip(tries.Skip(1), (x, y) => (y - x).TotalMilliseconds).Skip(2).ToList();
        output.WriteLine($"gaps (ms): {string.Join(", ", gaps.Select(g => g.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.All(gaps, gap => Assert.True(gap >= 150, $"gap {gap:F0} ms"));
    }

    [Fact]
    public async Task An_api_server_that_does_not_answer_at_start_is_retried_and_the_host_keeps_running()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        using var nothing = new TcpListener(IPAddress.Loopback, 0);
        nothing.Start();
        var port = ((IPEndPoint)nothing.LocalEndpoint).Port;
        var leaseTries = 0;
        using var stop = new CancellationTokenSource();
        // Reads the request line, then closes the connection without an answer.
        var refusing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var connection = await nothing.AcceptTcpClientAsync(stop.Token);
                using var reader = new StreamReader(connection.GetStream());
                var line = await reader.ReadLineAsync(stop.Token) ?? string.Empty;
                if (line.Contains("/leases/", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref leaseTries);
                }
            }
        });

        await using var replica = await Replica.StartAsync(api, "pod-a", new Dictionary<string, string?>
        {
            ["Dispatcher:Kubernetes:ApiServerUrl"] = $"http://127.0.0.1:{port}",
        });
        await Eventually.Until(() => Volatile.Read(ref leaseTries) >= 3, "the elector tries again");

        Assert.False(replica.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested, "the host stopped itself");
        Assert.False(replica.Leadership.ExecuteTask!.IsCompleted, "leader election gave up");
        Assert.False(replica.Leadership.IsLeader);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => refusing);
    }
}
