using Dapr.DurableTask.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Arkonis.Embedded.Runtime;

/// <summary>
/// Dapr's fork of the durable-task protos reuses some field numbers with other types. Microsoft's in-process
/// server parses them as its own types and fails, so this interceptor clears them on the way out (reference/dapr.md).
/// </summary>
public sealed class ReusedProtoFieldsInterceptor : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        if (request is WorkflowResponse response)
        {
            response.Version = null;
            foreach (var action in response.Actions)
            {
                action.Router = null;
                if (action.ScheduleTask is { } schedule)
                {
                    schedule.Router = null;
                    schedule.TaskExecutionId = string.Empty;
                }
                if (action.CreateChildWorkflow is { } child)
                {
                    child.Router = null;
                }
            }
        }
        return continuation(request, context);
    }
}
