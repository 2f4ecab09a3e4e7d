using System.Net;
using Microsoft.Extensions.Options;

namespace Arkonis.Admission.Hosting;

/// <summary>Refuses to start with settings that would only fail later (missing certificate files, silly limits).</summary>
internal sealed class AdmissionOptionsValidator : IValidateOptions<AdmissionOptions>
{
    public ValidateOptionsResult Validate(string? name, AdmissionOptions options)
    {
        var failures = new List<string>();
        if (options.ListenAddress != "*" && !IPAddress.TryParse(options.ListenAddress, out _))
        {
            failures.Add($"Admission:ListenAddress must be '*' or an IP address, not '{options.ListenAddress}'.");
        }

        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"Admission:Port must be 0..65535, not {options.Port}.");
        }

        if (options.MaxRequestBodyBytes < 1024)
        {
            failures.Add("Admission:MaxRequestBodyBytes must be at least 1024.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            failures.Add("Admission:RequestTimeout must be positive.");
        }

        if (options.CycleCheckTimeout <= TimeSpan.Zero || options.CycleCheckTimeout >= options.RequestTimeout)
        {
            failures.Add("Admission:CycleCheckTimeout must be positive and shorter than Admission:RequestTimeout.");
        }

        var tls = options.Tls;
        if (tls.Enabled)
        {
            if (!File.Exists(tls.CertificatePath))
            {
                failures.Add($"Admission:Tls:CertificatePath '{tls.CertificatePath}' does not exist (set Admission:Tls:Enabled=false for plain HTTP in local development).");
            }

            if (!File.Exists(tls.KeyPath))
            {
                failures.Add($"Admission:Tls:KeyPath '{tls.KeyPath}' does not exist.");
            }

            if (tls.ReloadInterval <= TimeSpan.Zero)
            {
                failures.Add("Admission:Tls:ReloadInterval must be positive.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
