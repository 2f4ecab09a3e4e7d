using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Model.Resources;
using Dapr.Client;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Triggers.Webhook;

/// <summary>
/// Checks bearer tokens against the trigger's Secret <c>{name}-webhook-token</c> (key <c>token</c>, and
/// <c>previous-token</c> until <c>previous-token-expires-at</c>), read through the Dapr secret store.
/// Only SHA-256 hashes are kept, for a few seconds, so a rotated token works within <see cref="TriggerApiOptions.TokenCacheTtl"/>.
/// Comparison is constant-time over the hashes.
/// </summary>
public sealed class WebhookTokens(
    DaprClient dapr,
    IOptions<TriggerApiOptions> options,
    IOptions<SidecarOptions> sidecar,
    TimeProvider time,
    ILogger<WebhookTokens> logger)
{
    public const string TokenKey = WebhookTokenSecret.TokenKey;
    public const string PreviousTokenKey = WebhookTokenSecret.PreviousTokenKey;
    public const string PreviousTokenExpiresAtKey = WebhookTokenSecret.PreviousTokenExpiresAtKey;

    // Callers choose the names, so the cache is bounded: past this size, expired entries are dropped.
    private const int CacheSoftLimit = 10_000;

    private readonly ConcurrentDictionary<(string Namespace, string Name), CachedSecret> _cache = new();

    public static string SecretName(string eventName) => WebhookTokenSecret.NameFor(eventName);

    /// <summary>True when <paramref name="presented"/> is the trigger's current token, or its previous one within the grace time.</summary>
    /// <exception cref="SidecarUnavailableException">The secret store could not be asked.</exception>
    public async Task<bool> IsValidAsync(string @namespace, string name, string presented, CancellationToken cancellationToken)
    {
        var secret = await GetAsync(@namespace, name, cancellationToken);
        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        // Both comparisons always run, so timing does not tell which token (if any) matched.
        var current = secret.Current is not null && CryptographicOperations.FixedTimeEquals(presentedHash, secret.Current);
        var previous = secret.Previous is not null && CryptographicOperations.FixedTimeEquals(presentedHash, secret.Previous)
            && secret.PreviousExpiresAt is { } expires && time.GetUtcNow() < expires;
        return current | previous;
    }

    private async Task<CachedSecret> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue((@namespace, name), out var cached) && cached.FetchedAt + options.Value.TokenCacheTtl > now)
        {
            return cached;
        }
        var fresh = await FetchAsync(@namespace, name, now, cancellationToken);
        if (_cache.Count >= CacheSoftLimit)
        {
            foreach (var (key, entry) in _cache)
            {
                if (entry.FetchedAt + options.Value.TokenCacheTtl <= now)
                {
                    _cache.TryRemove(key, out _);
                }
            }
        }
        if (_cache.Count < CacheSoftLimit)
        {
            _cache[(@namespace, name)] = fresh;
        }
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
            return new CachedSecret(now, null, null, null);
        }
        return new CachedSecret(
            now,
            Hash(data.GetValueOrDefault(TokenKey)),
            Hash(data.GetValueOrDefault(PreviousTokenKey)),
            ParseTime(data.GetValueOrDefault(PreviousTokenExpiresAtKey)));
    }

    private static byte[]? Hash(string? token) =>
        string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim()));

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    private sealed record CachedSecret(DateTimeOffset FetchedAt, byte[]? Current, byte[]? Previous, DateTimeOffset? PreviousExpiresAt);
}
