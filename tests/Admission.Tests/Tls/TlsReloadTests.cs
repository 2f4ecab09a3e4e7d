using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Arkonis.Admission.Hosting;
using Arkonis.Admission.Service;
using Arkonis.Admission.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Arkonis.Admission.Tests.Tls;

/// <summary>The real composition on a real Kestrel port with HTTPS from files, including a renewal on disk.</summary>
public sealed class TlsReloadTests : IDisposable
{
    private readonly SecretVolume _volume = new();

    [Fact]
    public async Task Serves_https_with_the_mounted_certificate_and_picks_up_a_renewal_without_restart()
    {
        var first = _volume.Write("arkevent-admission-1");
        await using var app = await StartAsync(reloadInterval: "00:00:00.200");
        var port = Port(app);

        Assert.Equal(first.Thumbprint, (await HandshakeAsync(port)).Thumbprint);
        using (var client = HttpsClient(port, first))
        {
            var review = ApiServer.Review("DELETE", null, new System.Text.Json.Nodes.JsonObject { ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "x" } });
            var response = await client.PostAsync("/validate-arkevent", ApiServer.Json(review));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        }

        var second = _volume.Write("arkevent-admission-2");
        Assert.NotEqual(first.Thumbprint, second.Thumbprint);

        var deadline = Stopwatch.StartNew();
        string? seen = null;
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            seen = (await HandshakeAsync(port)).Thumbprint;
            if (seen == second.Thumbprint)
            {
                break;
            }

            await Task.Yield();
        }

        Assert.Equal(second.Thumbprint, seen);
    }

    [Fact]
    public async Task A_broken_renewal_keeps_serving_the_previous_certificate()
    {
        var first = _volume.Write("arkevent-admission-1");
        await using var app = await StartAsync(reloadInterval: "01:00:00");
        var certificate = app.Services.GetRequiredService<Arkonis.Admission.Tls.ServingCertificate>();

        var version = Path.Combine(_volume.Directory, "..broken");
        Directory.CreateDirectory(version);
        File.WriteAllText(Path.Combine(version, "tls.crt"), "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n");
        File.WriteAllText(Path.Combine(version, "tls.key"), "garbage");
        File.CreateSymbolicLink(Path.Combine(_volume.Directory, "..data_tmp"), "..broken");
        SecretVolume.Swap(Path.Combine(_volume.Directory, "..data_tmp"), Path.Combine(_volume.Directory, "..data"));

        Assert.False(certificate.Reload(out var error));
        Assert.False(string.IsNullOrEmpty(error));
        Assert.Equal(first.Thumbprint, (await HandshakeAsync(Port(app))).Thumbprint);
    }

    [Fact]
    public async Task Missing_certificate_files_stop_the_start_with_a_clear_message()
    {
        var builder = Builder(Path.Combine(_volume.Directory, "nope.crt"), "00:00:30");
        builder.AddAdmission();

        // Kestrel reads the options while the app is built, so the validation stops it there, before any port is bound.
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = builder.Build();
            app.MapAdmission();
            await app.StartAsync();
        });
        Assert.Contains("Admission:Tls:CertificatePath", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Admission:Tls:Enabled=false", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _volume.Dispose();

    private async Task<WebApplication> StartAsync(string reloadInterval)
    {
        var builder = Builder(_volume.CertificatePath, reloadInterval);
        builder.AddAdmission();
        var app = builder.Build();
        app.MapAdmission();
        await app.StartAsync();
        return app;
    }

    private WebApplicationBuilder Builder(string certificatePath, string reloadInterval)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Admission:ListenAddress"] = "127.0.0.1",
            ["Admission:Port"] = "0",
            ["Admission:Tls:Enabled"] = "true",
            ["Admission:Tls:CertificatePath"] = certificatePath,
            ["Admission:Tls:KeyPath"] = _volume.KeyPath,
            ["Admission:Tls:ReloadInterval"] = reloadInterval,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        return builder;
    }

    private static int Port(WebApplication app) =>
        new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;

    private static async Task<X509Certificate2> HandshakeAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        X509Certificate2? presented = null;
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
        {
            // Trust is what the test asserts afterwards (which certificate was presented), not the chain.
            presented = certificate is null ? null : new X509Certificate2(certificate);
            return presented is not null;
        });
        await ssl.AuthenticateAsClientAsync("localhost");
        return presented!;
    }

    /// <summary>Trusts exactly the pinned certificate, as kube-apiserver trusts exactly the injected caBundle.</summary>
    private static HttpClient HttpsClient(int port, X509Certificate2 pinned) =>
        new(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == pinned.Thumbprint,
            },
        })
        { BaseAddress = new Uri($"https://localhost:{port}") };
}
