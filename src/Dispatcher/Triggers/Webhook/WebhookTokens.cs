using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Model.Resources;
using Dapr.Client;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Triggers.Webhook;

/// <summary>
/// Checks bearer tokens against the trigger's Secret <c>{name}-webhook-token</c> (key <c>token</c>, and
/// <c>previous-token</c> until <c>previous-token-expires-at</c>), read through the Dapr secret store.
/// Only the catalog's triggers are ever read: callers choose the names, so a name the catalog does not hold is
/// compared against a dummy hash, with the same work as a wrong token, and never costs a read of the store.
/// The tokens of the catalog's webhook triggers are kept fresh by <see cref="RefreshAsync"/> in the background;
/// a request reads the store only when its trigger's entry is missing or older than <see cref="TriggerApiOptions.TokenCacheTtl"/>,
/// or when a token does not match an entry older than <see cref="TriggerApiOptions.TokenRecheckInterval"/> (a rotation).
/// Only SHA-256 hashes are kept. Comparison is constant-time over the hashes.
/// </summary>
public sealed class WebhookTokens(
    DaprClient dapr,
    ArkEventCatalog catalog,
    IOptions<TriggerApiOptions> options,
    IOptions<SidecarOptions> sidecar,
    TimeProvider time,
    ILogger<WebhookTokens> logger)
{
    public const string TokenKey = WebhookTokenSecret.TokenKey;
    public const string PreviousTokenKey = WebhookTokenSecret.PreviousTokenKey;
    public const string PreviousTokenExpiresAtKey = WebhookTokenSecret.PreviousTokenExpiresAtKey;

    /// <summary>How long the last known tokens of a trigger removed from the catalog still tell their holder "404".</summary>
    public static readonly TimeSpan GoneRetention = TimeSpan.FromHours(1);

    // What an unknown name is compared against: two hashes no token has, so the work equals a known trigger's.
    private static readonly CachedSecret Unknown = new(
        DateTimeOffset.MinValue, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), DateTimeOffset.MinValue, null);

    private readonly ConcurrentDictionary<(string Namespace, string Name), CachedSecret> _cache = new();

    public static string SecretName(string eventName) => WebhookTokenSecret.NameFor(eventName);

    /// <summary>True when <paramref name="presented"/> is the trigger's current token, or its previous one within the grace time.</summary>
    /// <exception cref="SidecarUnavailableException">The secret store could not be asked about a trigger of the catalog.</exception>
    public async Task<bool> IsValidAsync(string @namespace, string name, string presented, CancellationToken cancellationToken)
    {
        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var now = time.GetUtcNow();
        var key = (@namespace, name);
        _cache.TryGetValue(key, out var cached);
        if (catalog.Find(@namespace, name) is null)
        {
            // Not a trigger of the catalog: never read. A trigger removed a moment ago keeps its last tokens for a
            // while (so their holder learns "404"); any other name matches nothing.
            var gone = cached is not null && (cached.RemovedAt is not { } removed || now < removed + GoneRetention) ? cached : Unknown;
            return Matches(gone, presentedHash, now) & !ReferenceEquals(gone, Unknown);
        }
        var ttl = options.Value.TokenCacheTtl;
        var secret = cached is not null && cached.RemovedAt is null && cached.FetchedAt + ttl > now
            ? cached
            : await ReadAsync(@namespace, name, cancellationToken);
        if (Matches(secret, presentedHash, now))
        {
            return true;
        }
        // A trigger whose Secret had no token yet (just created: the operator writes it a moment after the ArkEvent
        // appears) is read again at once, so its first fire does not wait out the recheck interval; the per-trigger rate
        // limit bounds those reads.
        if (secret.Current is not null && now - secret.FetchedAt < options.Value.TokenRecheckInterval)
        {
            return false;
        }
        // Perhaps rotated since the last read: one read, at most once per TokenRecheckInterval for this trigger.
        return Matches(await ReadAsync(@namespace, name, cancellationToken), presentedHash, now);
    }

    /// <summary>
    /// One background pass: reads the tokens of the catalog's webhook triggers whose entry is older than half the TTL,
    /// marks the entries of triggers no longer in the catalog as removed, and forgets them after <see cref="GoneRetention"/>.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var refreshAfter = options.Value.TokenCacheTtl / 2;
        foreach (var entry in catalog.Entries)
        {
            if (entry.Event.Spec.Source?.Type != SourceTypes.Webhook)
            {
                continue;
            }
            if (_cache.TryGetValue((entry.Namespace, entry.Name), out var cached) && cached.RemovedAt is null && cached.FetchedAt + refreshAfter > now)
            {
                continue;
            }
            try
            {
                await ReadAsync(entry.Namespace, entry.Name, cancellationToken);
            }
            catch (SidecarUnavailableException e)
            {
                // The cache keeps its entries; a request past their TTL asks the store itself and answers 503.
                logger.SidecarUnavailable(e.Operation);
                return;
            }
        }
        foreach (var (key, cached) in _cache)
        {
            if (catalog.Find(key.Namespace, key.Name) is not null)
            {
                continue;
            }
            if (cached.RemovedAt is null)
            {
                _cache.TryUpdate(key, cached with { RemovedAt = now }, cached);
            }
            else if (now >= cached.RemovedAt + GoneRetention)
            {
                _cache.TryRemove(key, out _);
            }
        }
    }

    private static bool Matches(CachedSecret secret, byte[] presentedHash, DateTimeOffset now)
    {
        // Both comparisons always run, so timing does not tell which token (if any) matched.
        var current = secret.Current is not null && CryptographicOperations.FixedTimeEquals(presentedHash, secret.Current);
        var previous = secret.Previous is not null && CryptographicOperations.FixedTimeEquals(presentedHash, secret.Previous)
            && secret.PreviousExpiresAt is { } expires && now < expires;
        return current | previous;
    }

    private async Task<CachedSecret> ReadAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var fresh = await FetchAsync(@namespace, name, time.GetUtcNow(), cancellationToken);
        _cache[(@namespace, name)] = fresh;
        return fresh;
    }

    private async Task<CachedSecret> FetchAsync(string @namespace, string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var store = options.Value.SecretStore;
        var metadata = new Dictionary<string, string> { ["namespace"] = @namespace };
        Dictionary<string, string> data;
        try
        {
            data = await SidecarUnavailableException.GuardAsync(
                "GetSecret",
                sidecar.Value.CallTimeout,
                ct => dapr.GetSecretAsync(store, SecretName(name), metadata, ct),
                cancellationToken);
        }
        catch (SidecarUnavailableException)
        {
            throw;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // A missing Secret is an error from the store; it means "no token can match", not "unavailable".
            logger.TokenSecretUnreadable(@namespace, name, e.GetType().Name);
            return new CachedSecret(now, null, null, null, null);
        }
        return new CachedSecret(
            now,
            Hash(data.GetValueOrDefault(TokenKey)),
            Hash(data.GetValueOrDefault(PreviousTokenKey)),
            ParseTime(data.GetValueOrDefault(PreviousTokenExpiresAtKey)),
            null);
    }

    private static byte[]? Hash(string? token) =>
        string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim()));

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    private sealed record CachedSecret(
        DateTimeOffset FetchedAt, byte[]? Current, byte[]? Previous, DateTimeOffset? PreviousExpiresAt, DateTimeOffset? RemovedAt);
}

/// <summary>Runs <see cref="WebhookTokens.RefreshAsync"/> every half <see cref="TriggerApiOptions.TokenCacheTtl"/> (at least every 100 ms).</summary>
public sealed class WebhookTokenRefresher(WebhookTokens tokens, IOptions<TriggerApiOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromTicks(Math.Max(options.Value.TokenCacheTtl.Ticks / 2, TimeSpan.FromMilliseconds(100).Ticks));
        using var timer = new PeriodicTimer(period, time);
        do
        {
            await tokens.RefreshAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
