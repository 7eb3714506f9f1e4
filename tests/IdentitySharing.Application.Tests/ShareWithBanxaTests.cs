using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Application.ShareWithBanxa;
using IdentitySharing.Domain;
using NSubstitute;

namespace IdentitySharing.Application.Tests;

public sealed class ShareWithBanxaTests : IDisposable
{
    private static readonly ShareToken Minted = ShareToken.Create("_act-for-banxa");

    private readonly App _app = new();

    public ShareWithBanxaTests()
    {
        _app.Sumsub.GenerateShareTokenAsync(default!, default!, default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(Result<IssuedShareToken>.Success(new IssuedShareToken(Minted, App.BanxaClientId)));
        _app.Banxa.ShareIdentityAsync(default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(call => Result<IdentityReference>.Success(call.Arg<BanxaIdentityShare>().IdentityReference));
    }

    public void Dispose() => _app.Dispose();

    private static ShareWithBanxaCommand Command(string? account = null) =>
        new("5cb56e8e0a975a35f333cb83", "customer-42", "alice@example.com", "+447700900123", account, "req-1");

    [Fact]
    public async Task Mints_a_default_lifetime_token_for_banxas_client_id_then_shares_it_with_banxa()
    {
        using var cancellation = new CancellationTokenSource();

        var result = await _app.SendWith(Command(), cancellation.Token);

        result.Value.Should().Be(IdentityReference.Create("customer-42"));
        await _app.Sumsub.Received(1).GenerateShareTokenAsync(
            App.DefaultAccount, ApplicantId.Create("5cb56e8e0a975a35f333cb83"), App.BanxaClientId, ShareTokenTtl.Default, cancellation.Token);
        await _app.Banxa.Received(1).ShareIdentityAsync(
            Arg.Is<BanxaIdentityShare>(share =>
                share.IdentityReference.Value == "customer-42"
                && share.Email.Value == "alice@example.com"
                && share.MobileNumber.Value == "447700900123"
                && share.SumsubShareToken == Minted),
            cancellation.Token);
    }

    [Fact]
    public async Task Without_a_requested_account_the_configured_donor_account_donates()
    {
        var donor = AccountName.Create("banxa-donor");
        _app.BanxaSettings.DonorAccount.Returns(donor);

        (await _app.Send(Command(account: ""))).IsSuccess.Should().BeTrue();

        await _app.Sumsub.Received(1).GenerateShareTokenAsync(donor, Arg.Any<ApplicantId>(), App.BanxaClientId, ShareTokenTtl.Default, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_requested_account_wins_over_the_configured_donor_account()
    {
        _app.BanxaSettings.DonorAccount.Returns(AccountName.Create("banxa-donor"));

        (await _app.Send(Command(account: "eu"))).IsSuccess.Should().BeTrue();

        await _app.Sumsub.Received(1).GenerateShareTokenAsync(App.EuAccount, Arg.Any<ApplicantId>(), App.BanxaClientId, ShareTokenTtl.Default, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_unknown_requested_account_is_rejected_even_with_a_donor_account_configured()
    {
        _app.BanxaSettings.DonorAccount.Returns(AccountName.Create("banxa-donor"));

        var result = await _app.Send(Command(account: "nope"));

        result.ValidationViolations().Should().Equal(new FieldViolation("account", App.UnknownAccountViolation));
        await _app.Sumsub.DidNotReceiveWithAnyArgs().GenerateShareTokenAsync(default!, default!, default!, default!, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task When_no_default_account_applies_the_account_field_is_reported()
    {
        _app.Accounts.TryResolve(Arg.Is<string?>(requested => requested == null), out Arg.Any<AccountName?>(), out Arg.Any<string?>())
            .Returns(call =>
            {
                call[1] = null;
                call[2] = "is required: several accounts are configured and none is the default";
                return false;
            });

        var result = await _app.Send(Command(account: null));

        result.ValidationViolations().Should().Equal(
            new FieldViolation("account", "is required: several accounts are configured and none is the default"));
    }

    [Fact]
    public async Task Reports_every_bad_field_at_once_and_calls_neither_upstream()
    {
        var result = await _app.Send(new ShareWithBanxaCommand("", "customer_42", "alice.example.com", "+44 7700 900123", "nope", "req\u00e9"));

        result.ValidationViolations().Should().Equal(
            new FieldViolation("applicant_id", "is required"),
            new FieldViolation("identity_reference", "must contain only letters, digits and hyphen"),
            new FieldViolation("email", "must be an email address with exactly one @, like name@example.com"),
            new FieldViolation("mobile_number", "must contain only digits after an optional leading +"),
            new FieldViolation("account", App.UnknownAccountViolation),
            new FieldViolation("request_id", "must contain only printable ASCII without spaces"));
        await _app.Sumsub.DidNotReceiveWithAnyArgs().GenerateShareTokenAsync(default!, default!, default!, default!, Arg.Any<CancellationToken>());
        await _app.Banxa.DidNotReceiveWithAnyArgs().ShareIdentityAsync(default!, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Violations_never_quote_the_email_or_mobile_number()
    {
        var result = await _app.Send(new ShareWithBanxaCommand("abc", "ref", "alice@@example.com", "+4477009001239999", null, null));

        var violations = result.ValidationViolations();
        violations.Select(v => v.Field).Should().Equal("email", "mobile_number");
        string.Join(" ", violations.Select(v => v.Description) .Append(result.Error!.Message))
            .Should().NotContainAny("alice", "7700");
    }

    [Fact]
    public async Task When_minting_fails_that_error_is_returned_and_banxa_is_not_called()
    {
        var notFound = new Error(ErrorKind.NotFound, "APPLICANT_NOT_FOUND", "Applicant not found");
        _app.Sumsub.GenerateShareTokenAsync(default!, default!, default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(Result<IssuedShareToken>.Failure(notFound));

        var result = await _app.Send(Command());

        result.Error.Should().BeSameAs(notFound);
        await _app.Banxa.DidNotReceiveWithAnyArgs().ShareIdentityAsync(default!, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task When_banxa_fails_banxas_error_is_returned()
    {
        var rejected = Error.Validation([new FieldViolation("email", "The email has already been taken.")]);
        _app.Banxa.ShareIdentityAsync(default!, Arg.Any<CancellationToken>()).ReturnsForAnyArgs(Result<IdentityReference>.Failure(rejected));

        var result = await _app.Send(Command());

        result.Error.Should().BeSameAs(rejected);
    }

    [Fact]
    public void The_command_never_prints_the_email_or_mobile_number()
    {
        var text = Command(account: "eu").ToString();

        text.Should().Be(
            "ShareWithBanxaCommand { ApplicantId = 5cb56e8e0a975a35f333cb83, IdentityReference = customer-42, Email = [redacted], MobileNumber = [redacted], Account = eu, RequestId = req-1 }");
    }
}
