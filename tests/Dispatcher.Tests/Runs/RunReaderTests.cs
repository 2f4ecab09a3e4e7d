using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Workflows;
using Dapr.DurableTask.Protobuf;
using Dapr.Workflow;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NSubstitute;

namespace Arkonis.Dispatcher.Tests.Runs;

public sealed class RunReaderTests
{
    private static AsyncUnaryCall<GetInstanceResponse> CancelledByClient() => new(
        Task.FromException<GetInstanceResponse>(new RpcException(new Status(StatusCode.Cancelled, "Call canceled by the client."))),
        Task.FromResult(new Metadata()),
        () => Status.DefaultCancelled,
        () => [],
        () => { });

    [Fact]
    public async Task A_sync_wait_whose_caller_hung_up_ends_as_a_cancellation_not_an_RpcException()
    {
        // The SDK's own client over a durable-task gRPC client that answers as grpc-dotnet does when the caller cancels.
        var taskHub = Substitute.For<TaskHubSidecarService.TaskHubSidecarServiceClient>();
        taskHub.WaitForInstanceCompletionAsync(Arg.Any<GetInstanceRequest>(), Arg.Any<Metadata>(), Arg.Any<DateTime?>(), Arg.Any<CancellationToken>())
            .Returns(_ => CancelledByClient());
        taskHub.WaitForInstanceCompletionAsync(Arg.Any<GetInstanceRequest>(), Arg.Any<CallOptions>())
            .Returns(_ => CancelledByClient());
        taskHub.GetInstanceAsync(Arg.Any<GetInstanceRequest>(), Arg.Any<Metadata>(), Arg.Any<DateTime?>(), Arg.Any<CancellationToken>())
            .Returns(_ => CancelledByClient());
        taskHub.GetInstanceAsync(Arg.Any<GetInstanceRequest>(), Arg.Any<CallOptions>())
            .Returns(_ => CancelledByClient());
        var services = new ServiceCollection().AddLogging();
        services.AddDaprWorkflow(_ => { });
        services.AddSingleton(taskHub);
        await using var provider = services.BuildServiceProvider();
        var reader = new RunReader(
            provider.GetRequiredService<DaprWorkflowClient>(), Options.Create(new SidecarOptions()), Substitute.For<IRunPayloads>(), TimeProvider.System);
        using var hungUp = new CancellationTokenSource();
        await hungUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.WaitAsync("run-1", TimeSpan.FromSeconds(5), hungUp.Token));
    }
}
