using Arkonis.Dispatcher.Kubernetes;

namespace Arkonis.Dispatcher.Tests.Kubernetes;

public sealed class KubernetesModeOptionsTests
{
    private static string[] Problems(KubernetesModeOptions options) =>
        [.. new KubernetesModeOptionsValidator().Validate(options).Errors.Select(e => e.PropertyName)];

    [Fact]
    public void The_defaults_are_valid() => Assert.Empty(Problems(new KubernetesModeOptions()));

    public static TheoryData<KubernetesModeOptions, string> Invalid => new()
    {
        { new KubernetesModeOptions { WebhookBaseUrl = "arkevent-dispatcher:8092" }, nameof(KubernetesModeOptions.WebhookBaseUrl) },
        { new KubernetesModeOptions { LeaseDuration = TimeSpan.FromMilliseconds(900), RenewDeadline = TimeSpan.FromMilliseconds(500), RetryPeriod = TimeSpan.FromMilliseconds(100) }, nameof(KubernetesModeOptions.LeaseDuration) },
        { new KubernetesModeOptions { RenewDeadline = TimeSpan.FromSeconds(20) }, nameof(KubernetesModeOptions.RenewDeadline) },
        { new KubernetesModeOptions { MinBackoff = TimeSpan.Zero }, nameof(KubernetesModeOptions.MinBackoff) },
        { new KubernetesModeOptions { Namespaces = ["team-a", " "] }, nameof(KubernetesModeOptions.Namespaces) },
        { new KubernetesModeOptions { PodName = "" }, nameof(KubernetesModeOptions.PodName) },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Bad_settings_are_refused_at_start(KubernetesModeOptions options, string member) => Assert.Contains(member, Problems(options));
}
