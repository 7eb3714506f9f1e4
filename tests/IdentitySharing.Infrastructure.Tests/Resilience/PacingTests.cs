using IdentitySharing.Application.Common;
using IdentitySharing.Domain;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.Infrastructure.Tests.Resilience;

/// <summary>Client-side pacing keeps each Sumsub account within its budget and refuses the excess.</summary>
public sealed class PacingTests : ResilienceTestBase
{
    private const int PostBudget = 3;

    protected override IEnumerable<KeyValuePair<string, string?>> ResilienceSettings =>
    [
        .. base.ResilienceSettings,
        new("Sumsub:RateLimits:PostPer5Seconds", PostBudget.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Sumsub:RateLimits:GetPer5Seconds", "2"),
        new("Sumsub:RateLimits:MaxQueueWait", "00:00:00.100"),
    ];

    [Fact]
    public async Task Calls_over_the_post_budget_are_refused_with_a_retry_hint_and_never_sent()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => MintAsync()));

        var refused = results.Where(r => !r.IsSuccess).Select(r => r.Error!).ToList();
        refused.Should().NotBeEmpty().And.OnlyContain(e => e.Kind == ErrorKind.RateLimited && e.Reason == "UPSTREAM_BUDGET_EXHAUSTED");
        refused.Should().OnlyContain(e => e.RetryAfter > TimeSpan.Zero);
        // The window is 5 s; even on a slow machine at most a second window's worth can have been granted.
        Sumsub.Requests.Should().HaveCount(results.Count(r => r.IsSuccess)).And.HaveCountLessThanOrEqualTo(2 * PostBudget);
    }

    [Fact]
    public async Task Reads_have_their_own_budget()
    {
        var misses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Adapters.Sumsub.FindApplicantByExternalUserIdAsync(Main, ExternalUserId.Create("nobody"), TestContext.Current.CancellationToken)));

        misses.Should().Contain(r => r.Error!.Kind == ErrorKind.RateLimited);
        (await MintAsync()).IsSuccess.Should().BeTrue("spent reads leave the write budget untouched");
        Sumsub.Requests.Should().Contain(r => r.Method == "POST");
    }
}
