using System.ComponentModel.DataAnnotations;

namespace Arkonis.Dispatcher.Kubernetes;

/// <summary>How the dispatcher runs in a cluster (section <c>Dispatcher:Kubernetes</c>).</summary>
public sealed record KubernetesModeOptions : IValidatableObject
{
    public const string Section = "Dispatcher:Kubernetes";

    /// <summary>The API server to talk to; empty = in-cluster config, else the kubeconfig file.</summary>
    public string? ApiServerUrl { get; init; }

    /// <summary>Namespaces whose ArkEvents are served; empty = all namespaces.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>The public base URL of the trigger API, written into <c>status.webhookURL</c>.</summary>
    [Required]
    public string WebhookBaseUrl { get; init; } = "http://arkevent-dispatcher.arkonis-system.svc.cluster.local:8092";

    /// <summary>How long the previous token stays valid after a rotation.</summary>
    public TimeSpan TokenRotationGrace { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>This replica's identity in the leader election and in Events: <c>POD_NAME</c> (downward API), else the host name.</summary>
    [Required]
    public string PodName { get; init; } = Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName;

    /// <summary>Where the leader Lease lives: <c>POD_NAMESPACE</c> (downward API), else <c>arkonis-system</c>.</summary>
    [Required]
    public string LeaseNamespace { get; init; } = Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } ns ? ns : "arkonis-system";

    [Required]
    public string LeaseName { get; init; } = "arkevent-dispatcher-leader";

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the leader reconciles every ArkEvent even without a change.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The server-side timeout asked for on each watch request.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>First retry delay after a failed list or watch; doubles up to <see cref="MaxBackoff"/>, with jitter.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>An identical Kubernetes Event (same object, type, reason, action and note) is not sent again within this window.</summary>
    public TimeSpan EventRepeatWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The field manager named on every write.</summary>
    [Required]
    public string FieldManager { get; init; } = "arkevent-dispatcher";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(WebhookBaseUrl, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult("must be an absolute http(s) URL", [nameof(WebhookBaseUrl)]);
        }
        if (ApiServerUrl is { Length: > 0 } && !Uri.TryCreate(ApiServerUrl, UriKind.Absolute, out _))
        {
            yield return new ValidationResult("must be an absolute URL", [nameof(ApiServerUrl)]);
        }
        // The client truncates the lease duration to whole seconds; under 1 s every lease looks expired.
        if (LeaseDuration < TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("must be at least 1s", [nameof(LeaseDuration)]);
        }
        if (RenewDeadline >= LeaseDuration || RetryPeriod >= RenewDeadline || RetryPeriod <= TimeSpan.Zero)
        {
            yield return new ValidationResult("need 0 < RetryPeriod < RenewDeadline < LeaseDuration", [nameof(RenewDeadline), nameof(RetryPeriod)]);
        }
        if (TokenRotationGrace < TimeSpan.Zero || ResyncPeriod <= TimeSpan.Zero || WatchTimeout < TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("TokenRotationGrace >= 0, ResyncPeriod > 0, WatchTimeout >= 1s", [nameof(TokenRotationGrace), nameof(ResyncPeriod), nameof(WatchTimeout)]);
        }
        if (MinBackoff <= TimeSpan.Zero || MaxBackoff < MinBackoff)
        {
            yield return new ValidationResult("need 0 < MinBackoff <= MaxBackoff", [nameof(MinBackoff), nameof(MaxBackoff)]);
        }
        foreach (var ns in Namespaces)
        {
            if (string.IsNullOrWhiteSpace(ns))
            {
                yield return new ValidationResult("must not contain empty names", [nameof(Namespaces)]);
            }
        }
    }
}
