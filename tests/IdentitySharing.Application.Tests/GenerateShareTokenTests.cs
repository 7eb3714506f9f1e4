using IdentitySharing.Application.Common;
using IdentitySharing.Application.GenerateShareToken;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using NSubstitute;

namespace IdentitySharing.Application.Tests;

public sealed class GenerateShareTokenTests : IDisposable
{
    private readonly App _app = new();

    public void Dispose() => _app.Dispose();

    private void SumsubIssues(string token, string forClientId) =>
        _app.Sumsub.GenerateShareTokenAsync(default!, default!, default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(Result<IssuedShareToken>.Success(new IssuedShareToken(ShareToken.Create(token), ClientId.Create(forClientId))));

    [Fact]
    public async Task Mints_a_token_with_exactly_the_requested_values_and_reports_when_it_expires()
    {
        SumsubIssues("_act-minted", "partner.com_42");
        using var cancellation = new CancellationTokenSource();

        var result = await _app.SendWith(new GenerateShareTokenCommand("5cb56e8e0a975a35f333cb83", "partner.com_42", 600, "eu", "req-1"), cancellation.Token);

        result.IsSuccess.Should().BeTrue();
        result.Value.Token.Value.Should().Be("_act-minted");
        result.Value.ForClientId.Should().Be(ClientId.Create("partner.com_42"));
        result.Value.ExpiresAt.Should().Be(App.Now + TimeSpan.FromSeconds(600));
        await _app.Sumsub.Received(1).GenerateShareTokenAsync(
            App.EuAccount,
            ApplicantId.Create("5cb56e8e0a975a35f333cb83"),
            ClientId.Create("partner.com_42"),
            Arg.Is<ShareTokenTtl>(ttl => ttl.Seconds == 600),
            cancellation.Token);
    }

    [Fact]
    public async Task Zero_ttl_sends_no_ttl_and_expires_after_sumsubs_default_on_the_default_account()
    {
        SumsubIssues("_act-minted", "partner");

        var result = await _app.Send(new GenerateShareTokenCommand("abc", "partner", 0, "", ""));

        result.Value.ExpiresAt.Should().Be(App.Now + TimeSpan.FromSeconds(1200));
        await _app.Sumsub.Received(1).GenerateShareTokenAsync(
            App.DefaultAccount, ApplicantId.Create("abc"), ClientId.Create("partner"), ShareTokenTtl.Default, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Expiry_is_counted_from_before_the_upstream_call()
    {
        _app.Sumsub.GenerateShareTokenAsync(default!, default!, default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(_ =>
            {
                _app.Time.Advance(TimeSpan.FromSeconds(7)); // a slow upstream
                return Result<IssuedShareToken>.Success(new IssuedShareToken(ShareToken.Create("t"), ClientId.Create("p")));
            });

        var result = await _app.Send(new GenerateShareTokenCommand("abc", "p", 60, null, null));

        result.Value.ExpiresAt.Should().Be(App.Now + TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Reports_every_bad_field_at_once_and_never_calls_sumsub()
    {
        var result = await _app.Send(new GenerateShareTokenCommand("", "partner com", -1, "unknown", "req 1"));

        result.ValidationViolations().Should().Equal(
            new FieldViolation("applicant_id", "is required"),
            new FieldViolation("for_client_id", "must contain only letters, digits, underscore, dot and hyphen"),
            new FieldViolation("ttl_seconds", "must be 0 (Sumsub's default, 1200) or 1-86400 seconds (got -1)"),
            new FieldViolation("account", App.UnknownAccountViolation),
            new FieldViolation("request_id", "must contain only printable ASCII without spaces"));
        result.Error!.Message.Should().Be("5 invalid fields: applicant_id, for_client_id, ttl_seconds, account, request_id");
        await _app.Sumsub.DidNotReceiveWithAnyArgs().GenerateShareTokenAsync(default!, default!, default!, default!, Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData("a b", "must contain only letters and digits", "applicant_id")]
    [InlineData("x\u0000", "must not contain control characters or broken Unicode", "applicant_id")]
    public async Task A_single_bad_field_is_reported_alone(string applicantId, string violation, string field)
    {
        var result = await _app.Send(new GenerateShareTokenCommand(applicantId, "partner", 0, null, null));

        result.ValidationViolations().Should().Equal(new FieldViolation(field, violation));
        await _app.Sumsub.DidNotReceiveWithAnyArgs().GenerateShareTokenAsync(default!, default!, default!, default!, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_account_name_that_breaks_the_format_is_rejected_without_asking_the_configuration()
    {
        var result = await _app.Send(new GenerateShareTokenCommand("abc", "partner", 0, "eu main", null));

        result.ValidationViolations().Should().Equal(
            new FieldViolation("account", "must contain only letters, digits, underscore, dot and hyphen"));
        _app.Accounts.DidNotReceive().TryResolve("eu main", out Arg.Any<AccountName?>(), out Arg.Any<string?>());
    }

    [Fact]
    public async Task A_request_id_of_128_visible_characters_is_accepted_and_129_is_not()
    {
        SumsubIssues("t", "p");

        (await _app.Send(new GenerateShareTokenCommand("abc", "p", 0, null, new string('r', 128)))).IsSuccess.Should().BeTrue();
        (await _app.Send(new GenerateShareTokenCommand("abc", "p", 0, null, new string('r', 129))))
            .ValidationViolations().Should().ContainSingle().Which.Field.Should().Be("request_id");
    }

    [Fact]
    public async Task Sumsubs_error_comes_back_unchanged()
    {
        var notFound = new Error(ErrorKind.NotFound, "APPLICANT_NOT_FOUND", "Applicant not found")
        {
            Upstream = new UpstreamFailure("sumsub", 404, null, "corr-1"),
        };
        _app.Sumsub.GenerateShareTokenAsync(default!, default!, default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(Result<IssuedShareToken>.Failure(notFound));

        var result = await _app.Send(new GenerateShareTokenCommand("abc", "partner", 0, null, null));

        result.IsSuccess.Should().BeFalse();
        result.Error.Should().BeSameAs(notFound);
    }

    [Fact]
    public async Task The_issued_token_is_never_printed()
    {
        SumsubIssues("_act-very-secret", "partner");

        var result = await _app.Send(new GenerateShareTokenCommand("abc", "partner", 0, null, null));

        result.Value.ToString().Should().NotContain("very-secret").And.Contain("[redacted]");
    }
}
