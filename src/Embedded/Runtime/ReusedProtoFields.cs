using System.Buffers.Binary;
using Dapr.DurableTask.Protobuf;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Embedded.Runtime;

/// <summary>
/// Dapr's fork of the durable-task protos reuses some field numbers with other types. Microsoft's in-process
/// server parses them as its own types and fails (the instance hangs in Pending), so the runtime reads a workflow
/// response in Dapr's dialect first and clears those fields before the server sees it (reference/dapr.md): any
/// Dapr.Workflow client, the dispatcher's own included, talks to this runtime as it talks to daprd. The response's
/// <c>version</c> (the patches the worker applied) goes to <see cref="WorkflowPatches"/>, which keeps it in the run's
/// history as daprd does.
/// </summary>
public static class ReusedProtoFields
{
    /// <summary>The durable-task calls whose request is Dapr's <see cref="WorkflowResponse"/>.</summary>
    private static readonly string[] WorkflowResponsePaths =
    [
        "/TaskHubSidecarService/CompleteOrchestratorTask",
        "/TaskHubSidecarService/CompleteWorkflowTask",
    ];

    /// <summary>Rewrites the request body of <see cref="WorkflowResponsePaths"/> before the gRPC endpoint reads it.</summary>
    public static IApplicationBuilder UseDaprWorkflowDialect(this IApplicationBuilder app)
    {
        var patches = app.ApplicationServices.GetRequiredService<WorkflowPatches>();
        return app.Use(async (context, next) =>
        {
            if (WorkflowResponsePaths.Contains(context.Request.Path.Value, StringComparer.Ordinal))
            {
                using var received = new MemoryStream();
                await context.Request.Body.CopyToAsync(received, context.RequestAborted);
                var rewritten = RewriteFrames(received.ToArray(), patches.Completed);
                context.Request.Body = new MemoryStream(rewritten, writable: false);
                context.Request.ContentLength = rewritten.Length;
            }
            await next(context);
        });
    }

    /// <summary>
    /// gRPC length-prefixed messages (1 byte compressed flag, 4 bytes big-endian length, the message): each
    /// uncompressed one is parsed as Dapr's type, shown to <paramref name="completed"/> (false: daprd would stall the
    /// run, so none of the turn's actions is applied), cleared and written back; anything else passes unchanged.
    /// </summary>
    internal static byte[] RewriteFrames(byte[] body, Func<WorkflowResponse, bool>? completed = null)
    {
        using var output = new MemoryStream(body.Length);
        var offset = 0;
        Span<byte> header = stackalloc byte[5];
        while (offset + 5 <= body.Length)
        {
            var compressed = body[offset] != 0;
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1, 4));
            if (offset + 5 + length > body.Length)
            {
                break;
            }
            var message = body.AsSpan(offset + 5, length);
            var bytes = compressed ? message.ToArray() : Clear(Seen(WorkflowResponse.Parser.ParseFrom(message), completed)).ToByteArray();
            header[0] = body[offset];
            BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)bytes.Length);
            output.Write(header);
            output.Write(bytes);
            offset += 5 + length;
        }
        output.Write(body.AsSpan(offset));
        return output.ToArray();
    }

    private static WorkflowResponse Seen(WorkflowResponse response, Func<WorkflowResponse, bool>? completed)
    {
        if (completed is not null && !completed(response))
        {
            response.Actions.Clear();
        }
        return response;
    }

    /// <summary>Clears the fields whose numbers Microsoft's protos use with other types.</summary>
    internal static WorkflowResponse Clear(WorkflowResponse response)
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
        return response;
    }
}
