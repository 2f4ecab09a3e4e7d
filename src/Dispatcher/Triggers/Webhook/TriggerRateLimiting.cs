using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Triggers.Webhook;

/// <summary>
/// Two token buckets, both before authentication, so a 429 says nothing about whether the trigger exists:
/// one per client address (<see cref="PerClient"/>, the global limiter; an IPv6 client counts by its /64, since one
/// host usually holds the whole prefix), then one per trigger (namespace/name from the route, the endpoint policy).
/// The per-client bucket is what stops one caller from spraying many names. Key spaces are bounded by idle-limiter
/// cleanup in ASP.NET Core.
/// </summary>
public static class TriggerRateLimiting
{
    public const string PolicyName = "per-trigger";

    /// <summary>Endpoint metadata: the endpoint counts against its caller's per-client bucket.</summary>
    public static readonly PerClientRateLimit PerClient = new();

    public static IServiceCollection AddTriggerRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (context.GetEndpoint()?.Metadata.GetMetadata<PerClientRateLimit>() is null)
                {
                    return RateLimitPartition.GetNoLimiter(string.Empty);
                }
                var options = context.RequestServices.GetRequiredService<IOptions<TriggerApiOptions>>().Value;
                return RateLimitPartition.GetTokenBucketLimiter(ClientKey(context.Connection.RemoteIpAddress), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.ClientRateBurst,
                    TokensPerPeriod = options.ClientRatePerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.AddPolicy(PolicyName, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<TriggerApiOptions>>().Value;
                var key = $"{context.GetRouteValue("namespace")}/{context.GetRouteValue("name")}";
                return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RateBurst,
                    TokensPerPeriod = options.RatePerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after)
                    ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds))
                    : 1;
                var problem = TriggerProblems.Problem(context.HttpContext, TriggerProblem.RateLimited, retryAfterSeconds: retryAfter);
                await problem.ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    /// <summary>The partition of a client address: IPv4 (an IPv4-mapped IPv6 address included) as is, IPv6 by its /64.</summary>
    public static string ClientKey(IPAddress? address)
    {
        if (address is null)
        {
            return string.Empty;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var prefix = address.GetAddressBytes();
        Array.Clear(prefix, 8, 8);
        return new IPAddress(prefix) + "/64";
    }
}

/// <summary>Marks an endpoint as counted against its caller's per-client bucket (<see cref="TriggerRateLimiting"/>).</summary>
public sealed class PerClientRateLimit;
