using FluentValidation;

namespace Arkonis.Dispatcher.Triggers.Webhook;

/// <summary>Limits and timings of the public trigger API.</summary>
public sealed record TriggerApiOptions
{
    public const string SectionName = "TriggerApi";

    /// <summary>
    /// The largest accepted request body (413 above it). A run carries its body as a reference (the body itself is
    /// stored once in the state store, <c>Runs:InlinePayloadBytes</c>), but the body still travels whole in one call to
    /// daprd (state save, then the flow start through service invocation), and daprd refuses a request above
    /// <c>--max-body-size</c>, 4Mi by default (dapr <c>cmd/daprd/options/options.go</c>): hence at most <see cref="MaxBodyLimit"/>.
    /// </summary>
    public long MaxBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>The largest <see cref="MaxBodyBytes"/> a run can carry: 3 MiB, leaving room under daprd's 4Mi for the envelope.</summary>
    public const long MaxBodyLimit = 3 * 1024 * 1024;

    /// <summary>How long a sync fire waits when the caller names no timeout.</summary>
    public TimeSpan DefaultSyncTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest timeout a caller may ask for.</summary>
    public TimeSpan MaxSyncTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>What a 503 tells the caller in <c>Retry-After</c>.</summary>
    public int SidecarRetryAfterSeconds { get; init; } = 5;

    /// <summary>
    /// How long a token read from the secret store is trusted. The tokens of the catalog's webhook triggers are read
    /// again in the background every half of this, so a request never waits for the store while they are fresh.
    /// </summary>
    public TimeSpan TokenCacheTtl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A token that does not match a known trigger's cached one is checked against the store again when the cache is
    /// at least this old, so a rotated token works within this interval, not the TTL; at most one such read per trigger per interval.
    /// </summary>
    public TimeSpan TokenRecheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Fires (and run reads) per second per trigger, refilled continuously.</summary>
    public int RatePerSecond { get; init; } = 50;

    /// <summary>How many requests a trigger may burst above its rate.</summary>
    public int RateBurst { get; init; } = 100;

    /// <summary>Requests per second per client address (an IPv6 client by its /64), before authentication.</summary>
    public int ClientRatePerSecond { get; init; } = 1000;

    /// <summary>How many requests a client address may burst above its rate.</summary>
    public int ClientRateBurst { get; init; } = 2000;

    /// <summary>The Dapr secret store that holds the webhook tokens.</summary>
    public string SecretStore { get; init; } = "arkevent-secrets";
}

public sealed class TriggerApiOptionsValidator : AbstractValidator<TriggerApiOptions>
{
    public TriggerApiOptionsValidator()
    {
        RuleFor(o => o.MaxBodyBytes).InclusiveBetween(1, TriggerApiOptions.MaxBodyLimit)
            .WithMessage("must be 1..3145728: a body travels whole in one call to daprd, which refuses more than 4Mi (--max-body-size)");
        RuleFor(o => o.DefaultSyncTimeout).GreaterThan(TimeSpan.Zero).WithMessage("must be positive");
        RuleFor(o => o.MaxSyncTimeout).GreaterThanOrEqualTo(o => o.DefaultSyncTimeout).WithMessage("must be at least TriggerApi:DefaultSyncTimeout");
        RuleFor(o => o.SidecarRetryAfterSeconds).InclusiveBetween(1, 3600).WithMessage("must be 1..3600");
        RuleFor(o => o.TokenCacheTtl).GreaterThanOrEqualTo(TimeSpan.Zero).WithMessage("must not be negative");
        RuleFor(o => o.TokenRecheckInterval).GreaterThanOrEqualTo(TimeSpan.Zero).WithMessage("must not be negative");
        RuleFor(o => o.ClientRatePerSecond).InclusiveBetween(1, 1_000_000).WithMessage("must be 1..1000000");
        RuleFor(o => o.ClientRateBurst).InclusiveBetween(1, 1_000_000).WithMessage("must be 1..1000000");
        RuleFor(o => o.RatePerSecond).InclusiveBetween(1, 1_000_000).WithMessage("must be 1..1000000");
        RuleFor(o => o.RateBurst).InclusiveBetween(1, 1_000_000).WithMessage("must be 1..1000000");
        RuleFor(o => o.SecretStore).NotEmpty().WithMessage("is required");
    }
}
