using Arkonis.Dispatcher.Tests.Harness;
using Xunit.Abstractions;
using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

/// <summary>Two replicas against one API server: one leader at a time over a Lease; failover when it stops renewing.</summary>
public sealed class LeadershipTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_replicas_elect_exactly_one_leader_and_the_other_takes_over_when_it_stops()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        var a = await Replica.StartAsync(api, "pod-a");
        await using var b = await Replica.StartAsync(api, "pod-b");
        try
        {
            await Eventually.Until(() => a.Leadership.IsLeader || b.Leadership.IsLeader, "a leader is elected");
            var leader = a.Leadership.IsLeader ? a : b;
            var follower = leader == a ? b : a;

            // Sampled over several renewals: never both leaders at once.
            using var sampler = new PeriodicTimer(TimeSpan.FromMilliseconds(25));
            for (var sample = 0; sample < 60 && await sampler.WaitForNextTickAsync(); sample++)
            {
                Assert.False(a.Leadership.IsLeader && b.Leadership.IsLeader, "two leaders at once");
            }
            Assert.Equal(leader.Pod, follower.Leadership.CurrentLeader);
            var lease = api.Get("leases", "arkonis-system", "arkevent-dispatcher-leader");
            Assert.Equal(leader.Pod, (string?)lease?["spec"]?["holderIdentity"]);

            // The leader stops renewing (its host stops); the follower leads after the lease duration.
            await leader.DisposeAsync();
            var stopped = DateTime.UtcNow;
            await Eventually.Until(() => follower.Leadership.IsLeader, "follower takes over", TimeSpan.FromSeconds(10));
            output.WriteLine($"failover after {(DateTime.UtcNow - stopped).TotalMilliseconds:F0} ms (lease duration 2 s)");
            lease = api.Get("leases", "arkonis-system", "arkevent-dispatcher-leader");
            Assert.Equal(follower.Pod, (string?)lease?["spec"]?["holderIdentity"]);
            Assert.True((int?)lease?["spec"]?["leaseTransitions"] >= 1);
        }
        finally
        {
            await a.DisposeAsync();
        }
    }

    [Fact]
    public async Task Leader_only_work_stops_when_renewals_fail_and_starts_again_with_the_next_term()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        api.Seed("arkevents", Fixtures.Webhook("hook"));
        await using var replica = await Replica.StartAsync(api, "pod-a");
        await Eventually.Until(() => replica.Leadership.IsLeader && api.OpenWatches("arkflows") == 1, "leader watching flows");

        // The API server refuses the Lease (the process lives on): past the renew deadline it must step down and let go.
        api.FailWith = r => r.Path.Value!.Contains("/leases", StringComparison.Ordinal) ? System.Net.HttpStatusCode.InternalServerError : null;
        await Eventually.Until(() => !replica.Leadership.IsLeader, "stepped down", TimeSpan.FromSeconds(10));
        await Eventually.Until(() => api.OpenWatches("arkflows") == 0, "the leader-only flow watch closed");

        api.FailWith = null;
        await Eventually.Until(() => replica.Leadership.IsLeader && api.OpenWatches("arkflows") == 1, "leads and watches again", TimeSpan.FromSeconds(10));
    }
}
