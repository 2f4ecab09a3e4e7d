using FluentValidation;

namespace Arkonis.Dispatcher.Kubernetes;

/// <summary>How the dispatcher runs in a cluster (section <c>Dispatcher:Kubernetes</c>).</summary>
public sealed record KubernetesModeOptions
{
    public const string Section = "Dispatcher:Kubernetes";

    /// <summary>The API server to talk to; empty = in-cluster config, else the kubeconfig file.</summary>
    public string? ApiServerUrl { get; init; }

    /// <summary>Namespaces whose ArkEvents are served; empty = all namespaces.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>The public base URL of the trigger API, written into <c>status.webhookURL</c>.</summary>
    public string WebhookBaseUrl { get; init; } = "http://arkevent-dispatcher.arkonis-system.svc.cluster.local:8092";

    /// <summary>How long the previous token stays valid after a rotation.</summary>
    public TimeSpan TokenRotationGrace { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>This replica's identity in the leader election and in Events: <c>POD_NAME</c> (downward API), else the host name.</summary>
    public string PodName { get; init; } = Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName;

    /// <summary>Where the leader Lease lives: <c>POD_NAMESPACE</c> (downward API), else <c>arkonis-system</c>.</summary>
    public string LeaseNamespace { get; init; } = Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } ns ? ns : "arkonis-system";

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

    /// <summary>
    /// Kubernetes Events about one object with the same type, reason and action, each within this long of the last, are
    /// one Event with a growing <c>series.count</c> (client-go's events.k8s.io series; its finishTime is 6 minutes).
    /// </summary>
    public TimeSpan EventRepeatWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the count of a growing Event series is written (client-go: every 30 minutes; here sooner, the count being the point).</summary>
    public TimeSpan EventSeriesRefresh { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The field manager named on every write.</summary>
    public string FieldManager { get; init; } = "arkevent-dispatcher";
}

public sealed class KubernetesModeOptionsValidator : AbstractValidator<KubernetesModeOptions>
{
    public KubernetesModeOptionsValidator()
    {
        RuleFor(o => o.WebhookBaseUrl)
            .Must(url => Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps))
            .WithMessage("must be an absolute http(s) URL");
        RuleFor(o => o.ApiServerUrl)
            .Must(url => Uri.TryCreate(url, UriKind.Absolute, out _)).When(o => o.ApiServerUrl is { Length: > 0 })
            .WithMessage("must be an absolute URL");
        RuleFor(o => o.PodName).NotEmpty().WithMessage("is required");
        RuleFor(o => o.LeaseNamespace).NotEmpty().WithMessage("is required");
        RuleFor(o => o.LeaseName).NotEmpty().WithMessage("is required");
        RuleFor(o => o.FieldManager).NotEmpty().WithMessage("is required");
        // The client truncates the lease duration to whole seconds; under 1 s every lease looks expired.
        RuleFor(o => o.LeaseDuration).GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)).WithMessage("must be at least 1s");
        RuleFor(o => o.RenewDeadline).LessThan(o => o.LeaseDuration).WithMessage("must be shorter than LeaseDuration");
        RuleFor(o => o.RetryPeriod).GreaterThan(TimeSpan.Zero).WithMessage("must be positive")
            .LessThan(o => o.RenewDeadline).WithMessage("must be shorter than RenewDeadline");
        RuleFor(o => o.TokenRotationGrace).GreaterThanOrEqualTo(TimeSpan.Zero).WithMessage("must not be negative");
        RuleFor(o => o.ResyncPeriod).GreaterThan(TimeSpan.Zero).WithMessage("must be positive");
        RuleFor(o => o.WatchTimeout).GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)).WithMessage("must be at least 1s");
        RuleFor(o => o.EventSeriesRefresh).GreaterThan(TimeSpan.Zero).WithMessage("must be positive");
        RuleFor(o => o.MinBackoff).GreaterThan(TimeSpan.Zero).WithMessage("must be positive");
        RuleFor(o => o.MaxBackoff).GreaterThanOrEqualTo(o => o.MinBackoff).WithMessage("must be at least MinBackoff");
        RuleFor(o => o.Namespaces).Must(names => names.All(n => !string.IsNullOrWhiteSpace(n))).WithMessage("must not contain empty names");
    }
}
