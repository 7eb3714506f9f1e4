using System.Diagnostics;
using Google.Rpc;
using IdentitySharing.Contracts.V1;
using IdentitySharing.Testing.Grpc;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// Upstream faults through the whole service: each ends in the status the error table names,
/// within the caller's deadline (a correctness bound with a generous margin, not a speed
/// measurement), and retries happen only where a repeat cannot do harm.
/// </summary>
public sealed class FaultInjectionTests(FaultHostFixture host) : IClassFixture<FaultHostFixture>
{
    private const int Ok = 0, DeadlineExceeded = 4, ResourceExhausted = 8, Unavailable = 14;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);

    private static readonly ScriptedResponse Minted = ScriptedResponse.Json(200, """{"token":"_act-minted","forClientId":"partner"}""");

    private static GenerateShareTokenRequest TokenRequest(string account = "") =>
        new() { ApplicantId = "5f1c0ffee0ddba11", ForClientId = "partner", Account = account };

    private static ShareWithBanxaRequest BanxaRequest() => new()
    {
        ApplicantId = "5f1c0ffee0ddba11",
        IdentityReference = "customer-0001",
        Email = "ada@example.com",
        MobileNumber = "+447700900123",
    };

    /// <summary>Runs the call and checks it came back before its deadline plus the margin.</summary>
    private static async Task<T> WithinDeadline<T>(Func<TimeSpan, Task<T>> call, TimeSpan? deadline = null)
    {
        var limit = deadline ?? Deadline;
        var clock = Stopwatch.StartNew();
        var result = await call(limit);
        clock.Elapsed.Should().BeLessThan(limit + Margin, "every call ends within the caller's deadline");
        return result;
    }

    private static ScriptedResponse Status(int status, string? retryAfter = null) => new()
    {
        Status = status,
        Body = $$"""{"code":{{status}},"description":"scripted"}""",
        Headers = retryAfter is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Retry-After"] = retryAfter },
    };

    [Fact]
    public async Task Mint_is_retried_on_503_and_then_succeeds()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Status(503), Minted);

        var call = await WithinDeadline(d => host.Client.GenerateShareToken(TokenRequest(), d));

        call.StatusCode.Should().Be(Ok, call.StatusMessage);
        call.Response!.Token.Should().Be("_act-minted");
        host.Sumsub.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task Mint_that_keeps_failing_is_unavailable_after_bounded_retries()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Status(500));

        var call = await WithinDeadline(d => host.Client.GenerateShareToken(TokenRequest(), d));

        call.StatusCode.Should().Be(Unavailable, call.StatusMessage);
        call.Detail<RetryInfo>().Should().NotBeNull();
        host.Sumsub.Requests.Should().HaveCount(3);
    }

    [Fact]
    public async Task Mint_in_share_with_banxa_is_retried_but_banxas_500_is_not()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Status(503), Minted);
        host.Banxa.Script("POST", FakeBanxa.SharePath, Status(500));

        var call = await WithinDeadline(d => host.Client.ShareWithBanxa(BanxaRequest(), d));

        call.StatusCode.Should().Be(Unavailable, call.StatusMessage);
        call.Detail<ErrorInfo>()!.Metadata["upstream"].Should().Be("banxa");
        host.Sumsub.Requests.Should().HaveCount(2);
        host.Banxa.Requests.Should().ContainSingle();
    }

    [Theory]
    [InlineData(null, 5)]
    [InlineData("30", 30)]
    public async Task A_429_the_service_cannot_wait_out_is_resource_exhausted_with_retry_info(string? retryAfter, int expectedSeconds)
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Status(429, retryAfter));

        var call = await WithinDeadline(d => host.Client.GenerateShareToken(TokenRequest(), d));

        call.StatusCode.Should().Be(ResourceExhausted, call.StatusMessage);
        call.Detail<RetryInfo>()!.RetryDelay.ToTimeSpan().Should().Be(TimeSpan.FromSeconds(expectedSeconds));
        host.Sumsub.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task A_429_with_a_short_retry_after_is_waited_out()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Status(429, "1"), Minted);

        var call = await WithinDeadline(d => host.Client.GenerateShareToken(TokenRequest(), d));

        call.StatusCode.Should().Be(Ok, call.StatusMessage);
        host.Sumsub.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_refused_connection_is_unavailable()
    {
        var call = await WithinDeadline(d => host.Client.GenerateShareToken(TokenRequest(FaultHostFixture.UnreachableAccount), d));

        call.StatusCode.Should().Be(Unavailable, call.StatusMessage);
        call.Detail<ErrorInfo>()!.Type.Should().BeOneOf("UPSTREAM_UNREACHABLE", "UPSTREAM_CIRCUIT_OPEN");
    }

    [Theory]
    [InlineData(FaultMode.MalformedJson)]
    [InlineData(FaultMode.HugeBody)]
    [InlineData(FaultMode.HugeBodyDeclared)]
    public async Task Unusable_answers_are_unavailable(FaultMode fault)
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.WithFault(fault));

        var call = await WithinDeadline(d => host.Client.GenerateShareToken(TokenRequest(), d));

        call.StatusCode.Should().Be(Unavailable, call.StatusMessage);
        call.Detail<ErrorInfo>()!.Type.Should().Be("UPSTREAM_BAD_RESPONSE");
    }

    [Fact]
    public async Task A_hung_attempt_times_out_and_the_mint_is_retried_within_the_deadline()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Minted with { Delay = TimeSpan.FromSeconds(60) }, Minted);

        var call = await WithinDeadline(d => host.Client.GenerateShareToken(TokenRequest(), d));

        call.StatusCode.Should().Be(Ok, call.StatusMessage);
        host.Sumsub.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task An_answer_after_the_deadline_is_deadline_exceeded()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Minted with { Delay = TimeSpan.FromSeconds(60) });

        var call = await WithinDeadline(d => host.Client.GenerateShareToken(TokenRequest(), d), TimeSpan.FromSeconds(1));

        call.StatusCode.Should().Be(DeadlineExceeded, call.StatusMessage);
    }

    [Fact]
    public async Task An_import_answered_with_503_is_unavailable_and_not_repeated()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ImportPath, Status(503));

        var call = await WithinDeadline(d => host.Client.ImportApplicant(new ImportApplicantRequest { ShareToken = "_act-once" }, d));

        call.StatusCode.Should().Be(Unavailable, call.StatusMessage);
        call.Detail<ErrorInfo>()!.Type.Should().Be("UPSTREAM_UNAVAILABLE");
        host.Sumsub.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task An_import_reset_mid_response_is_reconciled_by_user_id()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.WithFault(FaultMode.ResetMidResponse));
        host.Sumsub.Script("GET", FakeSumsub.ApplicantByExternalUserIdPath("user-42"), FakeSumsub.Applicant("importedapplicant42", "user-42", DateTimeOffset.UtcNow));

        var call = await WithinDeadline(d => host.Client.ImportApplicant(new ImportApplicantRequest { ShareToken = "_act-once", UserId = "user-42" }, d));

        call.StatusCode.Should().Be(Ok, call.StatusMessage);
        call.Response!.Applicant.Id.Should().Be("importedapplicant42");
        host.Sumsub.Requests.Where(r => r.Path == FakeSumsub.ImportPath).Should().ContainSingle("a sent import is never repeated");
        host.Sumsub.Requests.Should().Contain(r => r.Method == "GET" && r.SignatureValid);
    }

    [Fact]
    public async Task An_import_reset_mid_response_without_user_id_has_an_unknown_outcome()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.WithFault(FaultMode.ResetMidResponse));

        var call = await WithinDeadline(d => host.Client.ImportApplicant(new ImportApplicantRequest { ShareToken = "_act-once" }, d));

        call.StatusCode.Should().Be(Unavailable, call.StatusMessage);
        call.Detail<ErrorInfo>()!.Type.Should().Be("IMPORT_OUTCOME_UNKNOWN");
        call.StatusMessage.Should().Contain("unknown").And.NotContain("_act-once");
        host.Sumsub.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task An_import_whose_answer_never_comes_is_unknown_when_no_applicant_turns_up()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.Json(200, "{}") with { Delay = TimeSpan.FromSeconds(60) });

        var call = await WithinDeadline(d => host.Client.ImportApplicant(new ImportApplicantRequest { ShareToken = "_act-once", UserId = "user-43" }, d));

        call.StatusCode.Should().Be(Unavailable, call.StatusMessage);
        call.Detail<ErrorInfo>()!.Type.Should().Be("IMPORT_OUTCOME_UNKNOWN");
        host.Sumsub.Requests.Where(r => r.Path == FakeSumsub.ImportPath).Should().ContainSingle();
    }
}

/// <summary>The circuit breaker seen by callers.</summary>
public sealed class FaultCircuitBreakerTests(BreakerHostFixture host) : IClassFixture<BreakerHostFixture>
{
    [Fact]
    public async Task Opens_fails_fast_with_retry_info_and_no_upstream_call_then_recovers()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.Json(503, """{"code":503}"""));
        var request = new GenerateShareTokenRequest { ApplicantId = "5f1c0ffee0ddba11", ForClientId = "partner" };
        for (var i = 0; i < 3; i++)
        {
            (await host.Client.GenerateShareToken(request)).Detail<ErrorInfo>()!.Type.Should().Be("UPSTREAM_UNAVAILABLE");
        }

        var open = await host.Client.GenerateShareToken(request);

        open.StatusCode.Should().Be(14);
        open.Detail<ErrorInfo>()!.Type.Should().Be("UPSTREAM_CIRCUIT_OPEN");
        open.Detail<RetryInfo>()!.RetryDelay.ToTimeSpan().Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(2));
        host.Sumsub.Requests.Should().HaveCount(3);

        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.Json(200, """{"token":"_act-back","forClientId":"partner"}"""));
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        GrpcCallResult<GenerateShareTokenResponse> recovered;
        do
        {
            await Task.Delay(100, limit.Token);
            recovered = await host.Client.GenerateShareToken(request);
        }
        while (recovered.StatusCode != 0);
        recovered.Response!.Token.Should().Be("_act-back");
    }
}

/// <summary>Client-side pacing seen by callers.</summary>
public sealed class FaultPacingTests(PacingHostFixture host) : IClassFixture<PacingHostFixture>
{
    [Fact]
    public async Task Calls_over_the_budget_get_resource_exhausted_with_retry_info_and_are_not_sent()
    {
        host.Reset();
        var request = new GenerateShareTokenRequest { ApplicantId = "5f1c0ffee0ddba11", ForClientId = "partner" };

        var calls = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => host.Client.GenerateShareToken(request)));

        var refused = calls.Where(c => c.StatusCode != 0).ToList();
        refused.Should().NotBeEmpty().And.OnlyContain(c => c.StatusCode == 8);
        refused.Should().OnlyContain(c => c.Detail<ErrorInfo>()!.Type == "UPSTREAM_BUDGET_EXHAUSTED" && c.Detail<RetryInfo>()!.RetryDelay.ToTimeSpan() > TimeSpan.Zero);
        // A 5 s window: even a slow run can have been granted at most a second window's worth.
        host.Sumsub.Requests.Should().HaveCount(calls.Count(c => c.StatusCode == 0)).And.HaveCountLessThanOrEqualTo(2 * PacingHostFixture.PostBudget);
    }
}
