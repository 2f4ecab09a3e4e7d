using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Triggers.Webhook;

/// <summary>
/// One token bucket per trigger (namespace/name from the route). Runs before authentication, so a 429 says
/// nothing about whether the trigger exists; its key space is bounded by idle-limiter cleanup in ASP.NET Core.
/// </summary>
public static class TriggerRateLimiting
{
    public const string PolicyName = "per-trigger";

    public static IServiceCollection AddTriggerRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
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
}
