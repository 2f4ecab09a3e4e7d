using System.Net;
using Arkonis.Admission.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Arkonis.Admission.Tls;

internal static class TlsExtensions
{
    /// <summary>Kestrel listens on the configured port, with HTTPS from the reloadable certificate unless TLS is off.</summary>
    public static IServiceCollection AddAdmissionListener(this IServiceCollection services)
    {
        services.AddSingleton<ServingCertificate>();
        services.AddHostedService<CertificateReloader>();
        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<AdmissionOptions>, ServingCertificate>((kestrel, admission, certificate) =>
            {
                var settings = admission.Value;
                kestrel.AddServerHeader = false;
                if (settings.Tls.Enabled)
                {
                    certificate.EnsureLoaded();
                }

                void Configure(ListenOptions listen)
                {
                    if (settings.Tls.Enabled)
                    {
                        listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => certificate.Current);
                    }
                }

                if (settings.ListenAddress == "*")
                {
                    kestrel.ListenAnyIP(settings.Port, Configure);
                }
                else
                {
                    kestrel.Listen(IPAddress.Parse(settings.ListenAddress), settings.Port, Configure);
                }
            });
        services.AddHealthChecks().AddCheck<ServingCertificateHealthCheck>("serving-certificate", tags: ["ready"]);
        return services;
    }
}

/// <summary>Ready only while a certificate that has not expired is loaded (or TLS is off).</summary>
internal sealed class ServingCertificateHealthCheck(ServingCertificate certificate, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!certificate.Settings.Enabled)
        {
            return Task.FromResult(HealthCheckResult.Healthy("plain HTTP (TLS disabled)"));
        }

        var result = certificate.Current switch
        {
            null => HealthCheckResult.Unhealthy("no serving certificate loaded"),
            var c when c.NotAfter.ToUniversalTime() <= time.GetUtcNow().UtcDateTime => HealthCheckResult.Unhealthy("the serving certificate has expired"),
            _ => HealthCheckResult.Healthy(),
        };
        return Task.FromResult(result);
    }
}
