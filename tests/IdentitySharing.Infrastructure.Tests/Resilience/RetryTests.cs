using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.Infrastructure.Tests.Resilience;

/// <summary>Retries only where a repeat cannot do harm, counted at the fake upstream.</summary>
public sealed class RetryTests : ResilienceTestBase
{
    private static readonly ScriptedResponse Minted = ScriptedResponse.Json(200, """{"token":"_act-minted","forClientId":"partner.com_42"}""");

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task Minting_is_retried_after_a_server_fault_and_then_succeeds(int status)
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Status(status), Minted);

        var result = await MintAsync();

        result.Value.Token.Value.Should().Be("_act-minted");
        Sumsub.Requests.Should().HaveCount(2).And.OnlyContain(r => r.SignatureValid, "every attempt is signed anew");
    }

    [Fact]
    public async Task Minting_gives_up_after_the_configured_retries()
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Status(503));

        var result = await MintAsync();

        result.Error!.Kind.Should().Be(ErrorKind.Unavailable);
        Sumsub.Requests.Should().HaveCount(3, "one attempt and two retries by default");
    }

    [Theory]
    [InlineData(FaultMode.CloseConnection)]
    [InlineData(FaultMode.ResetMidResponse)]
    public async Task Minting_is_retried_after_a_dropped_connection(FaultMode fault)
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.WithFault(fault), Minted);

        var result = await MintAsync();

        result.Value.Token.Value.Should().Be("_act-minted");
        Sumsub.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task Minting_is_retried_when_an_attempt_hangs_past_its_timeout()
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Minted with { Delay = TimeSpan.FromSeconds(20) }, Minted);

        var result = await MintAsync();

        result.Value.Token.Value.Should().Be("_act-minted");
        Sumsub.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_429_with_a_short_retry_after_is_waited_out_and_retried()
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Status(429, retryAfter: "1"), Minted);

        var result = await MintAsync();

        result.Value.Token.Value.Should().Be("_act-minted");
        Sumsub.Requests.Should().HaveCount(2);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("120")]
    public async Task A_429_without_retry_after_or_with_a_long_one_goes_back_to_the_caller(string? retryAfter)
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Status(429, retryAfter));

        var error = (await MintAsync()).Error!;

        error.Kind.Should().Be(ErrorKind.RateLimited);
        error.RetryAfter.Should().Be(retryAfter is null ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(120));
        Sumsub.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Client_errors_are_not_retried()
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Status(404));

        (await MintAsync()).Error!.Kind.Should().Be(ErrorKind.NotFound);
        Sumsub.Requests.Should().ContainSingle();
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    public async Task An_answered_import_is_never_repeated(int status)
    {
        Sumsub.Script("POST", FakeSumsub.ImportPath, Status(status, retryAfter: "1"));

        var error = (await ImportAsync()).Error!;

        error.Reason.Should().NotBe(SumsubImportOutcome.UnknownReason, "Sumsub answered, so the outcome is known");
        Sumsub.Requests.Should().ContainSingle();
    }

    [Theory]
    [InlineData(FaultMode.CloseConnection)]
    [InlineData(FaultMode.ResetMidResponse)]
    public async Task An_import_whose_answer_is_lost_is_not_repeated_and_its_outcome_is_unknown(FaultMode fault)
    {
        Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.WithFault(fault));

        var error = (await ImportAsync()).Error!;

        error.Kind.Should().Be(ErrorKind.Unavailable);
        error.Reason.Should().Be(SumsubImportOutcome.UnknownReason);
        error.Message.Should().NotContain("_act-single-use");
        Sumsub.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task An_import_that_hangs_past_its_attempt_timeout_is_not_repeated_and_its_outcome_is_unknown()
    {
        Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.Json(200, "{}") with { Delay = TimeSpan.FromSeconds(20) });

        var error = (await ImportAsync()).Error!;

        error.Reason.Should().Be(SumsubImportOutcome.UnknownReason);
        Sumsub.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task An_import_that_could_not_connect_is_known_not_to_have_happened()
    {
        await Sumsub.StopAsync(TestContext.Current.CancellationToken);

        var error = (await ImportAsync()).Error!;

        error.Kind.Should().Be(ErrorKind.Unavailable);
        error.Reason.Should().Be("UPSTREAM_UNREACHABLE", "nothing was sent, so the token is unused");
    }

    [Fact]
    public async Task Banxa_share_is_not_repeated_after_a_server_fault()
    {
        Banxa.Script("POST", FakeBanxa.SharePath, Status(500), ScriptedResponse.Json(202, """{"identityReference":"customer-1"}"""));

        var error = (await ShareWithBanxaAsync()).Error!;

        error.Kind.Should().Be(ErrorKind.Unavailable);
        Banxa.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Banxa_share_is_not_repeated_after_a_dropped_connection()
    {
        Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.WithFault(FaultMode.ResetMidResponse), ScriptedResponse.Json(202, """{"identityReference":"customer-1"}"""));

        (await ShareWithBanxaAsync()).Error!.Kind.Should().Be(ErrorKind.Unavailable);
        Banxa.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Banxa_share_that_could_not_connect_reports_unreachable()
    {
        await Banxa.StopAsync(TestContext.Current.CancellationToken);

        var error = (await ShareWithBanxaAsync()).Error!;

        error.Reason.Should().Be("UPSTREAM_UNREACHABLE");
    }
}
