using System.ComponentModel.DataAnnotations;

namespace Arkonis.Dispatcher.Triggers.Webhook;

/// <summary>Limits and timings of the public trigger API.</summary>
public sealed record TriggerApiOptions
{
    public const string SectionName = "TriggerApi";

    /// <summary>The largest accepted request body.</summary>
    [Range(1, 64 * 1024 * 1024)]
    public long MaxBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>How long a sync fire waits when the caller names no timeout.</summary>
    public TimeSpan DefaultSyncTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest timeout a caller may ask for.</summary>
    public TimeSpan MaxSyncTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>What a 503 tells the caller in <c>Retry-After</c>.</summary>
    [Range(1, 3600)]
    public int SidecarRetryAfterSeconds { get; init; } = 5;

    /// <summary>How long a token read from the secret store is trusted; a rotated token works after at most this.</summary>
    public TimeSpan TokenCacheTtl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Fires (and run reads) per second per trigger, refilled continuously.</summary>
    [Range(1, 1_000_000)]
    public int RatePerSecond { get; init; } = 50;

    /// <summary>How many requests a trigger may burst above its rate.</summary>
    [Range(1, 1_000_000)]
    public int RateBurst { get; init; } = 100;

    /// <summary>The Dapr secret store that holds the webhook tokens.</summary>
    [Required]
    public string SecretStore { get; init; } = "arkevent-secrets";

    internal static bool IsValid(TriggerApiOptions o) =>
        o.DefaultSyncTimeout > TimeSpan.Zero && o.MaxSyncTimeout >= o.DefaultSyncTimeout &&
        o.TokenCacheTtl >= TimeSpan.Zero;
}
