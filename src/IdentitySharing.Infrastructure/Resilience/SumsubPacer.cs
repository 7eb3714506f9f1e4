using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using IdentitySharing.Application.Common;

namespace IdentitySharing.Infrastructure.Resilience;

/// <summary>
/// Client-side pacing per Sumsub account: sliding 5-second windows for POST and GET sized by
/// <see cref="SumsubRateLimits"/>. A request over budget queues for at most
/// <see cref="SumsubRateLimits.MaxQueueWait"/>, then is refused with RESOURCE_EXHAUSTED and
/// RetryInfo rather than sent into Sumsub's own limit.
/// </summary>
internal sealed class SumsubPacer(SumsubRateLimits limits) : IDisposable
{
    public const string BudgetExhaustedReason = "UPSTREAM_BUDGET_EXHAUSTED";
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);
    private const int Segments = 5;

    private readonly ConcurrentDictionary<(string Account, bool IsRead), RateLimiter> _limiters = new();

    /// <summary>Null when a permit was granted; otherwise the error to answer with.</summary>
    public async Task<Error?> WaitForPermitAsync(string account, HttpMethod method, CancellationToken cancellationToken)
    {
        var isRead = method == HttpMethod.Get;
        var limiter = _limiters.GetOrAdd((account, isRead), static (key, limits) => Create(key.IsRead ? limits.GetPer5Seconds : limits.PostPer5Seconds), limits);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(limits.MaxQueueWait);
        try
        {
            // Permits are taken, not returned: the budget is requests per window.
            using var lease = await limiter.AcquireAsync(1, wait.Token).ConfigureAwait(false);
            if (lease.IsAcquired)
            {
                return null;
            }
            return Exhausted(lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : Window / Segments);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Exhausted(Window / Segments);
        }
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }

    private static Error Exhausted(TimeSpan retryAfter) =>
        new(ErrorKind.RateLimited, BudgetExhaustedReason, "This service's request budget for Sumsub is spent for the moment; retry later.")
        {
            Upstream = new UpstreamFailure("sumsub", null, null, null),
            RetryAfter = retryAfter > TimeSpan.Zero ? retryAfter : Window / Segments,
        };

    private static SlidingWindowRateLimiter Create(int permitsPerWindow) => new(new SlidingWindowRateLimiterOptions
    {
        PermitLimit = permitsPerWindow,
        Window = Window,
        SegmentsPerWindow = Segments,
        QueueLimit = permitsPerWindow,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        AutoReplenishment = true,
    });
}
