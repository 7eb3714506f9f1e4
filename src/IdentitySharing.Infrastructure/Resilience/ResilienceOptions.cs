using Microsoft.Extensions.Configuration;

namespace IdentitySharing.Infrastructure.Resilience;

/// <summary>
/// How the adapters treat slow, failing and rate-limited upstreams. Read from
/// <c>Resilience:*</c> (timeouts, retries, circuit breaker) and <c>Sumsub:RateLimits:*</c>
/// (client-side pacing); every value has a default, so none needs configuring.
/// </summary>
public sealed class ResilienceOptions
{
    public const string Section = "Resilience";
    public const string SumsubRateLimitsSection = "Sumsub:RateLimits";

    /// <summary>One attempt's limit, so a hung upstream fails in time to retry within the caller's deadline.</summary>
    public TimeSpan SumsubAttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan BanxaAttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public RetrySettings Retry { get; set; } = new();

    public CircuitBreakerSettings CircuitBreaker { get; set; } = new();

    public SumsubRateLimits SumsubRateLimits { get; set; } = new();

    public static ResilienceOptions Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new ResilienceOptions();
        configuration.GetSection(Section).Bind(options);
        configuration.GetSection(SumsubRateLimitsSection).Bind(options.SumsubRateLimits);
        var problems = options.Validate();
        return problems.Count == 0
            ? options
            : throw new InvalidOperationException("Invalid resilience settings: " + string.Join("; ", problems));
    }

    /// <summary>Every out-of-range value, with its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void Positive(TimeSpan value, string key)
        {
            if (value <= TimeSpan.Zero)
            {
                problems.Add($"{key} must be a positive duration");
            }
        }
        Positive(SumsubAttemptTimeout, "Resilience:SumsubAttemptTimeout");
        Positive(BanxaAttemptTimeout, "Resilience:BanxaAttemptTimeout");
        Positive(Retry.BaseDelay, "Resilience:Retry:BaseDelay");
        Positive(Retry.MaxDelay, "Resilience:Retry:MaxDelay");
        Positive(CircuitBreaker.BreakDuration, "Resilience:CircuitBreaker:BreakDuration");
        Positive(SumsubRateLimits.MaxQueueWait, "Sumsub:RateLimits:MaxQueueWait");
        if (CircuitBreaker.SamplingDuration < TimeSpan.FromMilliseconds(500))
        {
            problems.Add("Resilience:CircuitBreaker:SamplingDuration must be at least 0.5 s");
        }
        if (Retry.MaxRetries is < 0 or > 10)
        {
            problems.Add("Resilience:Retry:MaxRetries must be between 0 and 10");
        }
        if (CircuitBreaker.FailureRatio is <= 0 or > 1)
        {
            problems.Add("Resilience:CircuitBreaker:FailureRatio must be in (0, 1]");
        }
        if (CircuitBreaker.MinimumThroughput < 2)
        {
            problems.Add("Resilience:CircuitBreaker:MinimumThroughput must be at least 2");
        }
        if (SumsubRateLimits.PostPer5Seconds < 1 || SumsubRateLimits.GetPer5Seconds < 1)
        {
            problems.Add("Sumsub:RateLimits:PostPer5Seconds and GetPer5Seconds must be at least 1");
        }
        return problems;
    }
}

/// <summary>Retries of calls that are safe to repeat (share-token minting; anything not yet sent).</summary>
public sealed class RetrySettings
{
    /// <summary>Retries after the first attempt.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>First backoff; later ones grow exponentially, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A 429 whose Retry-After is at most this long is waited out and retried; longer ones go back to the caller.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>One breaker per upstream and account: it opens when enough calls in the window fail.</summary>
public sealed class CircuitBreakerSettings
{
    /// <summary>Share of failed calls in <see cref="SamplingDuration"/> that opens the circuit.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Calls the window must hold before the ratio counts.</summary>
    public int MinimumThroughput { get; set; } = 20;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit fails calls fast before letting one probe through.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Client-side pacing per Sumsub account, under Sumsub's documented limits (POST 50 and GET
/// 300 per 5 seconds). A request over budget waits at most <see cref="MaxQueueWait"/> for a
/// permit, then is answered RESOURCE_EXHAUSTED instead of being sent.
/// </summary>
public sealed class SumsubRateLimits
{
    public int PostPer5Seconds { get; set; } = 50;

    public int GetPer5Seconds { get; set; } = 300;

    public TimeSpan MaxQueueWait { get; set; } = TimeSpan.FromSeconds(1);
}
