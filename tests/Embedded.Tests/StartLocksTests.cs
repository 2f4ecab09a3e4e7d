using Arkonis.Embedded.Runtime;

namespace Arkonis.Embedded.Tests;

/// <summary>
/// A start's check-then-create is atomic per instance id (<see cref="DaprdBehaviour"/>, as daprd's workflow actor is
/// single-threaded per id: dapr/dapr <c>pkg/actors/targets/workflow/orchestrator/create.go</c>), without one lock kept
/// per instance id for good.
/// </summary>
public sealed class StartLocksTests
{
    [Fact]
    public void The_start_locks_stay_a_fixed_set_however_many_instances_start()
    {
        var daprd = new DaprdBehaviour();

        var locks = Enumerable.Range(0, 20_000).Select(i => daprd.LockFor($"run-{i}")).Distinct().Count();

        Assert.InRange(locks, 1, DaprdBehaviour.CreatingStripes);
    }

    [Fact]
    public void An_instance_id_always_takes_the_same_lock_whatever_its_case()
    {
        var daprd = new DaprdBehaviour();

        Assert.Same(daprd.LockFor("run-7"), daprd.LockFor("run-7"));
        // The in-process server's store compares instance ids ignoring case: those are one instance.
        Assert.Same(daprd.LockFor("Run-7"), daprd.LockFor("run-7"));
    }
}
