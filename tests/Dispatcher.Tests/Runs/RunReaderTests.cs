using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Workflows;
using Dapr.DurableTask.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using NSubstitute;

namespace Arkonis.Dispatcher.Tests.Runs;

public sealed class RunReaderTests
{
    [Fact]
    public async Task A_sync_wait_whose_caller_hung_up_ends_as_a_cancellation_not_an_RpcException()
    {
        var taskHub = Substitute.For<TaskHubSidecarService.TaskHubSidecarServiceClient>();
        taskHub.WaitForInstanceCompletionAsync(Arg.Any<GetInstanceRequest>(), Arg.Any<Metadata>(), Arg.Any<DateTime?>(), Arg.Any<CancellationToken>())
            .Returns(new AsyncUnaryCall<GetInstanceResponse>(
                Task.FromException<GetInstanceResponse>(new RpcException(new Status(StatusCode.Cancelled, "Call canceled by the client."))),
                Task.FromResult(new Metadata()),
                () => Status.DefaultCancelled,
                () => [],
                () => { }));
        var reader = new RunReader(null!, taskHub, Options.Create(new SidecarOptions()), Substitute.For<IRunPayloads>(), TimeProvider.System);
        using var hungUp = new CancellationTokenSource();
        await hungUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.WaitAsync("run-1", TimeSpan.FromSeconds(5), hungUp.Token));
    }
}
