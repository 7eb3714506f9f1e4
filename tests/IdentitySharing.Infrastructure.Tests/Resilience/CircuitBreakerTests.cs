using IdentitySharing.Application.Common;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.Infrastructure.Tests.Resilience;

/// <summary>The breaker per upstream and account opens on failures, fails fast without calling, then recovers.</summary>
public sealed class CircuitBreakerTests : ResilienceTestBase
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

    [Fact]
    public async Task Opens_after_consecutive_failures_fails_fast_without_calling_and_recovers()
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Status(503));
        for (var i = 0; i < 3; i++)
        {
            (await MintAsync()).Error!.Reason.Should().Be("UPSTREAM_UNAVAILABLE");
        }

        var open = (await MintAsync()).Error!;

        open.Kind.Should().Be(ErrorKind.Unavailable);
        open.Reason.Should().Be("UPSTREAM_CIRCUIT_OPEN");
        open.RetryAfter.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(2));
        Sumsub.Requests.Should().HaveCount(3, "an open circuit sends nothing");

        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.Json(200, """{"token":"_act-back","forClientId":"partner.com_42"}"""));
        Result<Application.Ports.IssuedShareToken> recovered;
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        do
        {
            await Task.Delay(100, limit.Token);
            recovered = await MintAsync();
        }
        while (!recovered.IsSuccess);
        recovered.Value.Token.Value.Should().Be("_act-back");
    }

    [Fact]
    public async Task Client_errors_do_not_open_the_circuit()
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Status(404));
        for (var i = 0; i < 5; i++)
        {
            (await MintAsync()).Error!.Kind.Should().Be(ErrorKind.NotFound);
        }
        Sumsub.Requests.Should().HaveCount(5);
    }

    [Fact]
    public async Task Sumsub_failures_do_not_open_banxas_circuit()
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Status(503));
        for (var i = 0; i < 4; i++)
        {
            await MintAsync();
        }

        (await ShareWithBanxaAsync()).IsSuccess.Should().BeTrue();
    }
}
