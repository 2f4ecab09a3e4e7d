using Arkonis.Hosting;
using Arkonis.Admission.Hosting;

namespace Arkonis.Admission.Tests.Hosting;

/// <summary>The admission settings' validator, through the adapter the host runs at start: each failure names its key.</summary>
public sealed class AdmissionOptionsTests
{
    private static readonly AdmissionOptions Plain = new() { Tls = new AdmissionTlsOptions { Enabled = false } };

    private static IEnumerable<string> Failures(AdmissionOptions options) =>
        new FluentOptionsValidator<AdmissionOptions>(AdmissionOptions.Section, new AdmissionOptionsValidator()).Validate(null, options).Failures ?? [];

    [Fact]
    public void Plain_HTTP_defaults_are_valid() => Assert.Empty(Failures(Plain));

    public static TheoryData<string, AdmissionOptions, string> Invalid => new()
    {
        { "listen address", Plain with { ListenAddress = "localhost" }, "Admission:ListenAddress: must be '*' or an IP address, not 'localhost'." },
        { "port", Plain with { Port = 70000 }, "Admission:Port: must be 0..65535, not 70000." },
        { "body limit", Plain with { MaxRequestBodyBytes = 10 }, "Admission:MaxRequestBodyBytes: must be at least 1024." },
        { "cycle check longer than the request", Plain with { CycleCheckTimeout = TimeSpan.FromSeconds(10) }, "Admission:CycleCheckTimeout: must be positive and shorter than Admission:RequestTimeout." },
        { "missing certificate", new AdmissionOptions { Tls = new AdmissionTlsOptions { CertificatePath = "/nope/tls.crt", KeyPath = "/nope/tls.key" } },
            "Admission:Tls:CertificatePath: '/nope/tls.crt' does not exist (set Admission:Tls:Enabled=false for plain HTTP in local development)." },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Bad_settings_are_refused_with_their_key(string rule, AdmissionOptions options, string failure)
    {
        Assert.True(Failures(options).Contains(failure), $"{rule}: expected '{failure}' in [{string.Join(" | ", Failures(options))}]");
    }
}
