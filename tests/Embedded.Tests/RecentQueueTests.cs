using Arkonis.Embedded.Runtime;

namespace Arkonis.Embedded.Tests;

/// <summary>The runtime's records (deliveries, starts, secret reads, flow starts) keep a bounded tail.</summary>
public sealed class RecentQueueTests
{
    [Fact]
    public void It_keeps_the_latest_entries_oldest_first()
    {
        var records = new RecentQueue<int>(3);
        foreach (var i in Enumerable.Range(1, 10))
        {
            records.Add(i);
        }

        Assert.Equal([8, 9, 10], records);
        Assert.Equal(3, records.Count);
    }

    [Fact]
    public void A_reader_sees_a_snapshot_while_entries_are_added()
    {
        var records = new RecentQueue<int>(100);
        records.Add(1);
        records.Add(2);

        var seen = new List<int>();
        foreach (var i in records)
        {
            records.Add(i + 10);
            seen.Add(i);
        }

        Assert.Equal([1, 2], seen);
        Assert.Equal([1, 2, 11, 12], records);
    }

    [Fact]
    public void The_records_of_a_long_run_stay_at_the_default_bound()
    {
        var daprd = new DaprdBehaviour();
        for (var i = 0; i < RecentQueue.DefaultCapacity + 500; i++)
        {
            daprd.Starts.Add(($"run-{i}", "created"));
        }

        Assert.Equal(RecentQueue.DefaultCapacity, daprd.Starts.Count);
        Assert.Equal("run-500", daprd.Starts.First().InstanceId);
    }
}
