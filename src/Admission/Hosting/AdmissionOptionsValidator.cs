using System.Net;
using FluentValidation;

namespace Arkonis.Admission.Hosting;

/// <summary>Refuses to start with settings that would only fail later (missing certificate files, silly limits).</summary>
internal sealed class AdmissionOptionsValidator : AbstractValidator<AdmissionOptions>
{
    public AdmissionOptionsValidator()
    {
        RuleFor(o => o.ListenAddress)
            .Must(address => address == "*" || IPAddress.TryParse(address, out _))
            .WithMessage(o => $"must be '*' or an IP address, not '{o.ListenAddress}'.");
        RuleFor(o => o.Port).InclusiveBetween(0, 65535).WithMessage(o => $"must be 0..65535, not {o.Port}.");
        RuleFor(o => o.MaxRequestBodyBytes).GreaterThanOrEqualTo(1024).WithMessage("must be at least 1024.");
        RuleFor(o => o.RequestTimeout).GreaterThan(TimeSpan.Zero).WithMessage("must be positive.");
        RuleFor(o => o.CycleCheckTimeout)
            .Must((o, timeout) => timeout > TimeSpan.Zero && timeout < o.RequestTimeout)
            .WithMessage("must be positive and shorter than Admission:RequestTimeout.");
        When(o => o.Tls.Enabled, () =>
        {
            RuleFor(o => o.Tls.CertificatePath)
                .Must(File.Exists)
                .WithMessage(o => $"'{o.Tls.CertificatePath}' does not exist (set Admission:Tls:Enabled=false for plain HTTP in local development).");
            RuleFor(o => o.Tls.KeyPath).Must(File.Exists).WithMessage(o => $"'{o.Tls.KeyPath}' does not exist.");
            RuleFor(o => o.Tls.ReloadInterval).GreaterThan(TimeSpan.Zero).WithMessage("must be positive.");
        });
    }
}
