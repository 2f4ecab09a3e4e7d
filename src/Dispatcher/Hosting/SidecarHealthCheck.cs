using Dapr.Client;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Hosting;

/// <summary>
/// Ready only while the Dapr sidecar answers <c>GET /v1.0/healthz/outbound</c> (dapr/dapr <c>pkg/api/http/healthz.go</c>;
/// dotnet-sdk <c>DaprClient.CheckOutboundHealthAsync</c>): without it every fire would be a 503, so the pod leaves the
/// Service's endpoints instead of taking requests it must refuse. The outbound endpoint, not <c>/v1.0/healthz</c>: it
/// says the sidecar's APIs and components are up without waiting for the app channel, which is this process.
/// No start-up deadlock in Kubernetes: daprd waits for the app's port to accept a TCP connection, not for the app's
/// readiness (dapr/dapr <c>pkg/runtime/runtime.go</c>, <c>blockUntilAppIsReady</c> dials the port), and its app health
/// check probes <c>/healthz</c>, which runs no checks (deploy/dispatcher/deployment.yaml).
/// </summary>
internal sealed class SidecarHealthCheck(DaprClient dapr, IOptions<SidecarOptions> options) : IHealthCheck
{
    public const string Name = "dapr-sidecar";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var up = await SidecarUnavailableException.GuardAsync(
                "the outbound health check", options.Value.CallTimeout, dapr.CheckOutboundHealthAsync, cancellationToken);
            return up
                ? HealthCheckResult.Healthy("The Dapr sidecar answers /v1.0/healthz/outbound")
                : HealthCheckResult.Unhealthy("The Dapr sidecar is not ready for outbound calls");
        }
        catch (SidecarUnavailableException e)
        {
            return HealthCheckResult.Unhealthy("The Dapr sidecar did not answer", e);
        }
    }
}
