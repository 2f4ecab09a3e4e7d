using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapr.Client;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Flows;

/// <summary>
/// The local <see cref="IFlowRunner"/>: Dapr service invocation of the flow-runner app,
/// <c>POST /flows/{namespace}/{pipeline}/runs</c> with <c>{runId, input, correlationId}</c>, through the sidecar's
/// HTTP invocation API (Dapr's <see cref="InvocationHandler"/>). A 4xx answer (other than 408 and 429) is a refusal;
/// anything else that is not 2xx is transient and left to the workflow's retry policy.
/// </summary>
public sealed class ServiceInvocationFlowRunner(IHttpClientFactory clients, IOptions<FlowRunnerOptions> options) : IFlowRunner
{
    public const string HttpClientName = "flow-runner";

    public async Task StartAsync(FlowStartRequest request, CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(HttpClientName);
        var uri = $"http://{options.Value.AppId}/flows/{Uri.EscapeDataString(request.Namespace)}/{Uri.EscapeDataString(request.Pipeline)}/runs";
        var body = new FlowRunRequest(request.RunId, request.Input, request.CorrelationId, request.EventName, request.ChainDepth);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.StartTimeout);
        using var response = await client.PostAsJsonAsync(uri, body, timeout.Token);
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var code = (int)response.StatusCode;
        var failure = $"The flow runner answered {code} {response.ReasonPhrase} for {request.Namespace}/{request.Pipeline}.";
        if (code is >= 400 and < 500 && response.StatusCode is not HttpStatusCode.RequestTimeout and not HttpStatusCode.TooManyRequests)
        {
            throw new FlowStartRejectedException(failure);
        }
        throw new HttpRequestException(failure, null, response.StatusCode);
    }

    /// <summary>The sidecar's HTTP endpoint: <c>DAPR_HTTP_ENDPOINT</c>, else <c>http://127.0.0.1:{DAPR_HTTP_PORT|3500}</c>.</summary>
    internal static string SidecarHttpEndpoint(IConfiguration configuration) =>
        configuration["DAPR_HTTP_ENDPOINT"] is { Length: > 0 } endpoint
            ? endpoint
            : "http://127.0.0.1:" + (configuration["DAPR_HTTP_PORT"] is { Length: > 0 } port ? port : "3500");
}

/// <summary>The body of <c>POST /flows/{namespace}/{pipeline}/runs</c>.</summary>
public sealed record FlowRunRequest(
    string RunId,
    JsonObject Input,
    string CorrelationId,
    string? EventName = null,
    int ChainDepth = 0);
