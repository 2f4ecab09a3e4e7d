using Dapr;
using Grpc.Core;

namespace Arkonis.Dispatcher.Hosting;

/// <summary>The Dapr sidecar did not answer in time (or refused the connection).</summary>
public sealed class SidecarUnavailableException(string operation, Exception? inner = null)
    : Exception($"The Dapr sidecar did not answer {operation} in time.", inner)
{
    public string Operation { get; } = operation;

    /// <summary>
    /// Runs one sidecar call with a deadline. Dapr's workflow client waits for the connection forever unless its
    /// token fires, so every call gets one; unavailability and deadline errors become this exception.
    /// </summary>
    public static async Task<T> GuardAsync<T>(
        string operation, TimeSpan deadline, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        try
        {
            return await call(timeout.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SidecarUnavailableException(operation, e);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsUnavailable(e))
        {
            throw new SidecarUnavailableException(operation, e);
        }
    }

    /// <summary>Whether an error from a Dapr client means "no sidecar right now" rather than "the answer is no".</summary>
    public static bool IsUnavailable(Exception e) => e switch
    {
        RpcException rpc => rpc.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled,
        HttpRequestException => true,
        DaprException { InnerException: { } inner } => IsUnavailable(inner),
        _ => false,
    };
}
