using Arkonis.Embedded.Runtime;
using Dapr.DurableTask.Protobuf;
using Google.Protobuf;

namespace Arkonis.Embedded.Tests;

/// <summary>
/// The patches a worker reports are kept in history as daprd keeps them: durabletask-go <c>backend/orchestration.go</c>
/// stamps the response's version on the turn's WorkflowStarted event; dapr
/// <c>pkg/actors/targets/workflow/orchestrator/versioning.go</c> keeps only patches history lacks (<c>compactPatches</c>)
/// and stalls a run whose history patches are not a prefix of the reported ones (<c>hasPatchMismatch</c>). The SDK reads
/// them from the past events (dotnet-sdk <c>src/Dapr.Workflow/Versioning/WorkflowVersionTracker.cs</c>). End to end,
/// with the real worker: Dispatcher.Tests <c>FireWorkflowVersioningTests</c>.
/// </summary>
public sealed class WorkflowPatchesTests
{
    private readonly WorkflowPatches _patches = new();
    private readonly List<HistoryEvent> _history = [];

    /// <summary>Sends the next turn (its WorkflowStarted first, as the server adds it) and answers it with the reported patches.</summary>
    private bool Turn(string executionId, params string[] reported)
    {
        var item = Dispatch(executionId);
        _history.AddRange(item.WorkflowRequest.NewEvents);
        var response = new WorkflowResponse { InstanceId = "run-1" };
        if (reported.Length > 0)
        {
            response.Version = new WorkflowVersion { Name = "FireWorkflow", Patches = { reported } };
        }
        return _patches.Completed(response);
    }

    private WorkItem Dispatch(string executionId)
    {
        var item = new WorkItem
        {
            WorkflowRequest = new WorkflowRequest
            {
                InstanceId = "run-1",
                ExecutionId = executionId,
                PastEvents = { _history.Select(e => e.Clone()) },
                NewEvents = { new HistoryEvent { EventId = -1, WorkflowStarted = new WorkflowStartedEvent() } },
            },
        };
        _patches.Dispatching(item);
        return item;
    }

    private static string[][] PatchesOf(WorkItem item) =>
        [.. item.WorkflowRequest.PastEvents.Where(e => e.WorkflowStarted is not null).Select(e => e.WorkflowStarted.Version?.Patches.ToArray() ?? [])];

    [Fact]
    public void A_patch_is_recorded_on_the_turn_that_first_applied_it_and_every_later_work_item_carries_it()
    {
        Assert.True(Turn("e1"));
        Assert.True(Turn("e1", "announce-run"));
        Assert.True(Turn("e1", "announce-run"));
        Assert.True(Turn("e1", "announce-run", "second"));

        Assert.Equal(["announce-run", "second"], _patches.Recorded("run-1"));
        Assert.Equal(new string[][] { [], ["announce-run"], [], ["second"] }, PatchesOf(Dispatch("e1")));
        Assert.Empty(_patches.Stalls);
    }

    [Fact]
    public void A_run_whose_turns_applied_no_patch_carries_none()
    {
        Assert.True(Turn("e1"));
        Assert.True(Turn("e1"));

        Assert.Empty(_patches.Recorded("run-1"));
        Assert.All(PatchesOf(Dispatch("e1")), Assert.Empty);
        Assert.Equal(0, _patches.InstancesRecorded);
    }

    [Fact]
    public void A_purged_instance_leaves_no_patches_behind()
    {
        Assert.True(Turn("e1", "announce-run"));
        Assert.Equal(1, _patches.InstancesRecorded);

        _patches.Forget("run-1");

        Assert.Equal(0, _patches.InstancesRecorded);
        Assert.Empty(_patches.Recorded("run-1"));
    }

    [Fact]
    public void A_worker_that_no_longer_applies_a_recorded_patch_stalls_the_run_and_records_nothing()
    {
        Assert.True(Turn("e1", "announce-run"));

        Assert.False(Turn("e1"));
        Assert.False(Turn("e1", "other", "announce-run"));

        Assert.Equal(["announce-run"], _patches.Recorded("run-1"));
        Assert.Equal(2, _patches.Stalls.Count);
        Assert.All(_patches.Stalls, s => Assert.StartsWith("Patch mismatch. History patches: [announce-run]", s.Description, StringComparison.Ordinal));
    }

    [Fact]
    public void A_recreated_instance_starts_a_history_of_its_own()
    {
        Assert.True(Turn("e1", "announce-run"));
        _history.Clear();

        Assert.True(Turn("e2"));

        Assert.Empty(_patches.Recorded("run-1"));
        Assert.All(PatchesOf(Dispatch("e2")), Assert.Empty);
    }

    [Fact]
    public void The_dialect_hands_the_version_over_before_clearing_it_and_drops_a_stalled_turns_actions()
    {
        var response = new WorkflowResponse
        {
            InstanceId = "run-1",
            Version = new WorkflowVersion { Patches = { "announce-run" } },
            Actions = { new WorkflowAction { Id = 0, ScheduleTask = new ScheduleTaskAction { Name = "AnnounceRunActivity" } } },
        };
        WorkflowVersion? seen = null;

        var kept = WorkflowResponse.Parser.ParseFrom(Unframe(ReusedProtoFields.RewriteFrames(Frame(response), r => { seen = r.Version.Clone(); return true; })));
        var dropped = WorkflowResponse.Parser.ParseFrom(Unframe(ReusedProtoFields.RewriteFrames(Frame(response), _ => false)));

        Assert.Equal(["announce-run"], seen!.Patches);
        Assert.Null(kept.Version);
        Assert.Single(kept.Actions);
        Assert.Empty(dropped.Actions);
    }

    private static byte[] Frame(WorkflowResponse response)
    {
        var message = response.ToByteArray();
        var frame = new byte[5 + message.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1, 4), (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    private static byte[] Unframe(byte[] frame) => frame[5..];
}
