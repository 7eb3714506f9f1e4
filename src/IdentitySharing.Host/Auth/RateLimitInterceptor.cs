using System.Threading.RateLimiting;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using IdentitySharing.Application.Ports;
using IdentitySharing.GrpcServer;
using GrpcStatusCode = IdentitySharing.GrpcServer.StatusCode;

namespace IdentitySharing.Host.Auth;

/// <summary>
/// One token bucket per caller (its own limit, else <c>RateLimits:Default</c>); anonymous calls
/// share one bucket. Runs after authentication so a flood of bad keys cannot drain a real
/// caller's bucket. Over the limit: RESOURCE_EXHAUSTED with <c>RetryInfo</c> saying when a
/// permit will be free.
/// </summary>
internal sealed class RateLimitInterceptor : IGrpcInterceptor, IDisposable
{
    private readonly Dictionary<string, TokenBucketRateLimiter> _limiters = new(StringComparer.Ordinal);

    public RateLimitInterceptor(AuthSettings settings)
    {
        foreach (var caller in settings.Callers)
        {
            if ((caller.RateLimit ?? settings.DefaultRateLimit) is { } limit)
            {
                _limiters[caller.Name] = Create(limit);
            }
        }
        if (settings.DefaultRateLimit is { } anonymousLimit)
        {
            _limiters[ICallerContext.Anonymous] = Create(anonymousLimit);
        }
    }

    public ValueTask InterceptAsync(ServerCallContext context, Func<ServerCallContext, ValueTask> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (CallerIdentity.Find(context) is not { } caller || !_limiters.TryGetValue(caller, out var limiter))
        {
            return next(context);
        }

        using var lease = limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return next(context);
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var detail = $"Rate limit exceeded for caller '{caller}'.";
        var status = new Google.Rpc.Status { Code = (int)GrpcStatusCode.ResourceExhausted, Message = detail };
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }));
        throw new RpcException(GrpcStatusCode.ResourceExhausted, detail, status);
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }

    /// <summary>
    /// Replenishes in small steps (at most 20 per second) so the bucket refills smoothly without
    /// a timer firing per permit at high rates.
    /// </summary>
    internal static TokenBucketRateLimiter Create(RateLimitSettings limit)
    {
        var tokensPerPeriod = Math.Max(1, (int)Math.Ceiling(limit.PermitsPerSecond / 20));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.Burst,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokensPerPeriod / limit.PermitsPerSecond),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}
