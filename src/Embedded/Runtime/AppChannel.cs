namespace Arkonis.Embedded.Runtime;

/// <summary>
/// Where the runtime calls its app (daprd's app channel: <c>--app-port</c>, <c>APP_API_TOKEN</c>): pub/sub deliveries
/// and the cron binding's ticks go there. Unset until the app listens; nothing is delivered before.
/// </summary>
public sealed class AppChannel
{
    private volatile Uri? _address;

    /// <summary>The app's callback base address, for example <c>http://127.0.0.1:8093</c>.</summary>
    public Uri? Address
    {
        get => _address;
        set => _address = value;
    }

    /// <summary>Sent as <c>dapr-api-token</c> on every call to the app, when set.</summary>
    public string? ApiToken { get; set; }
}
