using IdentitySharing.Infrastructure.Resilience;
using Microsoft.Extensions.Configuration;

namespace IdentitySharing.Infrastructure.Tests.Resilience;

public sealed class ResilienceOptionsTests
{
    private static ResilienceOptions Load(params (string Key, string Value)[] settings) =>
        ResilienceOptions.Load(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());

    [Fact]
    public void Defaults_keep_under_sumsubs_documented_limits()
    {
        var options = Load();

        options.SumsubRateLimits.PostPer5Seconds.Should().Be(50);
        options.SumsubRateLimits.GetPer5Seconds.Should().Be(300);
        options.Retry.MaxRetries.Should().Be(2);
        options.Validate().Should().BeEmpty();
    }

    [Fact]
    public void Configured_values_are_read_from_their_keys()
    {
        var options = Load(("Sumsub:RateLimits:PostPer5Seconds", "20"), ("Resilience:SumsubAttemptTimeout", "00:00:04"), ("Resilience:CircuitBreaker:BreakDuration", "00:00:09"));

        options.SumsubRateLimits.PostPer5Seconds.Should().Be(20);
        options.SumsubAttemptTimeout.Should().Be(TimeSpan.FromSeconds(4));
        options.CircuitBreaker.BreakDuration.Should().Be(TimeSpan.FromSeconds(9));
    }

    [Fact]
    public void Out_of_range_values_are_reported_by_key()
    {
        var load = () => Load(("Sumsub:RateLimits:PostPer5Seconds", "0"), ("Resilience:CircuitBreaker:FailureRatio", "1.5"), ("Resilience:SumsubAttemptTimeout", "00:00:00"));

        load.Should().Throw<InvalidOperationException>()
            .Which.Message.Should().Contain("Sumsub:RateLimits:PostPer5Seconds").And.Contain("Resilience:CircuitBreaker:FailureRatio").And.Contain("Resilience:SumsubAttemptTimeout");
    }
}
