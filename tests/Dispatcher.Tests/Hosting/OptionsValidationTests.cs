using Arkonis.Dispatcher.Tests.Kubernetes.StandIn;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Tests.Hosting;

/// <summary>Every options type is checked at start, by its FluentValidation validator; the failure names the key.</summary>
public sealed class OptionsValidationTests
{
    // Options are validated before any hosted service runs: no API server needs to answer.
    private static readonly Dictionary<string, string?> Kubernetes = new()
    {
        ["Dispatcher:Mode"] = "Kubernetes",
        ["Dispatcher:Kubernetes:ApiServerUrl"] = "http://127.0.0.1:1",
        ["Dispatcher:Kubernetes:PodName"] = "pod-a",
    };

    public static TheoryData<string, string, string, string> BadSettings => new()
    {
        // mode, key, bad value, what the message says
        { "Local", "Ports:Callback", "8092", "must differ from Ports:Public" },
        { "Local", "Ports:Public", "70000", "must be 1..65535" },
        { "Local", "Sidecar:CallTimeout", "00:00:00", "must be positive" },
        { "Local", "Runs:TargetTimeout", "-00:00:01", "must be positive" },
        { "Local", "TriggerApi:MaxSyncTimeout", "00:00:01", "must be at least TriggerApi:DefaultSyncTimeout" },
        { "Local", "TriggerApi:RateBurst", "0", "must be 1..1000000" },
        { "Local", "TriggerApi:ClientRatePerSecond", "0", "must be 1..1000000" },
        { "Local", "TriggerApi:ClientRateBurst", "1000001", "must be 1..1000000" },
        { "Local", "TriggerApi:TokenRecheckInterval", "-00:00:01", "must not be negative" },
        { "Local", "Triggers:Cron:DefaultStartingDeadline", "00:00:05", "must be at least 10s" },
        { "Local", "Triggers:FlowOutput:MaxChainDepth", "0", "must be between 1 and 1000" },
        { "Local", "Catalog:PollInterval", "00:00:00", "must be positive" },
        { "Local", "FlowRunner:AppId", "", "is required" },
        { "Kubernetes", "Dispatcher:Kubernetes:WebhookBaseUrl", "arkevent-dispatcher:8092", "must be an absolute http(s) URL" },
        { "Kubernetes", "Dispatcher:Kubernetes:RenewDeadline", "00:01:00", "must be shorter than LeaseDuration" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_the_start_with_its_key(string mode, string key, string value, string says)
    {
        var settings = mode == "Kubernetes" ? new Dictionary<string, string?>(Kubernetes) : new() { ["Dispatcher:Mode"] = mode };
        if (key == "Ports:Callback")
        {
            settings["Ports:Public"] = value;
        }
        settings[key] = value;
        await using var host = new ModeHost(settings);

        var error = Assert.IsType<OptionsValidationException>(Unwrap(Record.Exception(() => host.Services)));

        Assert.Contains($"{key}: {says}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shipped_settings_start_in_both_modes()
    {
        await using var api = await KubeApiStandIn.StartAsync();
        await using var local = new ModeHost([]);
        await using var cluster = new ModeHost(ModeHost.Kubernetes(api));

        Assert.NotNull(local.Services);
        Assert.NotNull(cluster.Services);
    }

    private static Exception? Unwrap(Exception? error) => error is AggregateException { InnerExceptions: [var single] } ? Unwrap(single) : error;
}
