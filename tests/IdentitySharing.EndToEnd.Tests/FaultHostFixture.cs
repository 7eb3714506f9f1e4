
namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// The real host against fresh fakes, with resilience settings a test class chooses: short
/// attempt timeouts and backoff so faults resolve quickly, and breaker and pacing limits the
/// class can provoke without touching other classes (each class gets its own host).
/// </summary>
public class FaultHostFixture : HostFixture
{
    protected virtual IEnumerable<KeyValuePair<string, string?>> ResilienceSettings =>
    [
        new("Resilience:SumsubAttemptTimeout", "00:00:03"),
        new("Resilience:BanxaAttemptTimeout", "00:00:03"),
        new("Resilience:Retry:BaseDelay", "00:00:00.050"),
        new("Resilience:Retry:MaxDelay", "00:00:00.200"),
        new("Resilience:Retry:MaxRetryAfter", "00:00:01"),
    ];

    // Added after the base settings, so a subclass's pacing budget replaces the lifted one.
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraConfiguration => ResilienceSettings;
}

/// <summary>A breaker that opens after three failed calls and stays open for two seconds.</summary>
public sealed class BreakerHostFixture : FaultHostFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> ResilienceSettings =>
    [
        .. base.ResilienceSettings,
        new("Resilience:Retry:MaxRetries", "0"),
        new("Resilience:CircuitBreaker:FailureRatio", "1.0"),
        new("Resilience:CircuitBreaker:MinimumThroughput", "3"),
        new("Resilience:CircuitBreaker:SamplingDuration", "00:01:00"),
        new("Resilience:CircuitBreaker:BreakDuration", "00:00:02"),
    ];
}

/// <summary>A Sumsub POST budget of three per five seconds, with a short queue wait.</summary>
public sealed class PacingHostFixture : FaultHostFixture
{
    public const int PostBudget = 3;

    protected override IEnumerable<KeyValuePair<string, string?>> ResilienceSettings =>
    [
        .. base.ResilienceSettings,
        new("Sumsub:RateLimits:PostPer5Seconds", PostBudget.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Sumsub:RateLimits:MaxQueueWait", "00:00:00.100"),
    ];
}
