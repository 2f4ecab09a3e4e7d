namespace Arkonis.Admission.Hosting;

/// <summary>Settings of the admission service, bound from the <c>Admission</c> section.</summary>
public sealed record AdmissionOptions
{
    public const string Section = "Admission";

    /// <summary>Address to listen on: <c>*</c> for every interface, or an IP address such as 127.0.0.1.</summary>
    public string ListenAddress { get; init; } = "*";

    /// <summary>Port of the webhook (HTTPS unless <see cref="AdmissionTlsOptions.Enabled"/> is false). 0 picks a free port.</summary>
    public int Port { get; init; } = 8443;

    /// <summary>Largest AdmissionReview accepted; kube-apiserver's own request limit is 3 MiB.</summary>
    public long MaxRequestBodyBytes { get; init; } = 3 * 1024 * 1024;

    /// <summary>A request that takes longer is answered 504; kube-apiserver gives up after the webhook's timeoutSeconds anyway.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the flow-output cycle check may wait for the API server before allowing with a warning.</summary>
    public TimeSpan CycleCheckTimeout { get; init; } = TimeSpan.FromSeconds(1.5);

    public AdmissionTlsOptions Tls { get; init; } = new();
}

/// <summary>The serving certificate, as cert-manager mounts it (<c>tls.crt</c>, <c>tls.key</c>).</summary>
public sealed record AdmissionTlsOptions
{
    /// <summary>False serves plain HTTP: local development only (kube-apiserver only calls HTTPS webhooks).</summary>
    public bool Enabled { get; init; } = true;

    public string CertificatePath { get; init; } = "/etc/arkevent/tls/tls.crt";

    public string KeyPath { get; init; } = "/etc/arkevent/tls/tls.key";

    /// <summary>How often the files are re-read even without a change notification (a Secret update swaps a symlink).</summary>
    public TimeSpan ReloadInterval { get; init; } = TimeSpan.FromSeconds(30);
}
