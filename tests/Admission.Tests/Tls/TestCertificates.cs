using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Arkonis.Admission.Tests.Tls;

/// <summary>
/// A directory laid out like a mounted Kubernetes Secret: <c>tls.crt -> ..data/tls.crt</c>,
/// <c>..data -> ..&lt;timestamp&gt;</c>; an update writes a new timestamped directory and renames a
/// fresh symlink over <c>..data</c> (atomic), as the kubelet's AtomicWriter does.
/// </summary>
public sealed class SecretVolume : IDisposable
{
    private int _version;

    public SecretVolume()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("arkevent-tls-").FullName;
        File.CreateSymbolicLink(CertificatePath, "..data/tls.crt");
        File.CreateSymbolicLink(KeyPath, "..data/tls.key");
    }

    public string Directory { get; }

    public string CertificatePath => Path.Combine(Directory, "tls.crt");

    public string KeyPath => Path.Combine(Directory, "tls.key");

    public X509Certificate2 Write(string commonName)
    {
        var version = Path.Combine(Directory, $"..2026_11_28_{++_version:D4}");
        System.IO.Directory.CreateDirectory(version);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Path.Combine(version, "tls.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(version, "tls.key"), key.ExportPkcs8PrivateKeyPem());

        var temporary = Path.Combine(Directory, "..data_tmp");
        File.CreateSymbolicLink(temporary, Path.GetFileName(version));
        Swap(temporary, Path.Combine(Directory, "..data"));
        return certificate;
    }

    /// <summary>rename(2) over an existing symlink: the atomic step of a Secret volume update.</summary>
    public static void Swap(string from, string to)
    {
        if (rename(from, to) != 0)
        {
            throw new IOException($"rename {from} -> {to} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

#pragma warning disable CA2101 // Both strings are marshalled as UTF-8 explicitly, which is what libc expects.
    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int rename([MarshalAs(UnmanagedType.LPUTF8Str)] string oldpath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newpath);
#pragma warning restore CA2101

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
