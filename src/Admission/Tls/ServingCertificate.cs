using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Arkonis.Admission.Hosting;
using Microsoft.Extensions.Options;

namespace Arkonis.Admission.Tls;

/// <summary>
/// The certificate Kestrel presents, read from the PEM files cert-manager mounts. The TLS handshake
/// reads <see cref="Current"/>; <see cref="Reload"/> swaps it when the files' bytes change, so a
/// renewed certificate is served without a restart.
/// </summary>
internal sealed class ServingCertificate(IOptions<AdmissionOptions> options, ILogger<ServingCertificate> logger) : IDisposable
{
    private readonly Lock _gate = new();
    private X509Certificate2? _current;
    private byte[] _fingerprint = [];

    public AdmissionTlsOptions Settings => options.Value.Tls;

    public X509Certificate2? Current => Volatile.Read(ref _current);

    /// <summary>Loads the files the first time; a failure here stops the start (there is nothing to serve).</summary>
    public X509Certificate2 EnsureLoaded()
    {
        if (Current is { } loaded)
        {
            return loaded;
        }

        if (!Reload(out var error))
        {
            throw new InvalidOperationException("The serving certificate could not be loaded: " + error);
        }

        return Current!;
    }

    /// <summary>Re-reads the files; returns false (keeping the previous certificate) when they cannot be used.</summary>
    public bool Reload(out string? error)
    {
        error = null;
        lock (_gate)
        {
            try
            {
                // Reading through the paths follows the ..data symlink that a Secret volume swaps atomically.
                var certPem = File.ReadAllBytes(Settings.CertificatePath);
                var keyPem = File.ReadAllBytes(Settings.KeyPath);
                var fingerprint = SHA256.HashData([.. certPem, .. keyPem]);
                if (_current is not null && fingerprint.AsSpan().SequenceEqual(_fingerprint))
                {
                    return true;
                }

                var certificate = X509Certificate2.CreateFromPem(
                    System.Text.Encoding.UTF8.GetString(certPem), System.Text.Encoding.UTF8.GetString(keyPem));
                if (!certificate.HasPrivateKey)
                {
                    certificate.Dispose();
                    error = "the key does not belong to the certificate";
                    return false;
                }

                // Old handshakes may still hold the previous certificate; it is left to the GC rather than disposed under them.
                Volatile.Write(ref _current, certificate);
                _fingerprint = fingerprint;
                Log.CertificateLoaded(logger, certificate.Subject, certificate.NotAfter.ToUniversalTime(), certificate.Thumbprint);
                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                // A half-written pair (cert renewed, key not yet) lands here; the next change or poll tries again.
                error = ex.Message;
                Log.CertificateReloadFailed(logger, ex.Message);
                return false;
            }
        }
    }

    public void Dispose() => _current?.Dispose();
}
