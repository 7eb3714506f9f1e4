using IdentitySharing.Application.Audit;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.GenerateShareToken;
using IdentitySharing.Application.ImportApplicant;
using IdentitySharing.Application.Ports;
using IdentitySharing.Application.ShareWithBanxa;
using IdentitySharing.Domain;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace IdentitySharing.Application.Tests.Audit;

/// <summary>The ledger behavior through the whole pipeline (the App harness), with NSubstitute ports.</summary>
public sealed class AuditBehaviorTests : IDisposable
{
    private const string Email = "ledger@example.com";
    private const string Mobile = "+447700900777";
    private readonly App _app = new();
    private readonly List<ShareEvent> _recorded = [];

    public AuditBehaviorTests()
    {
        _app.Caller.RpcName.Returns("ShareRpc");
        _app.Ledger.RecordAsync(default!, Arg.Any<CancellationToken>()).ReturnsForAnyArgs(call =>
        {
            _recorded.Add(call.Arg<ShareEvent>());
            return Task.CompletedTask;
        });
    }

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_minted_token_is_recorded_with_the_resolved_account_applicant_and_recipient_but_not_the_token()
    {
        _app.Sumsub.GenerateShareTokenAsync(default!, default!, default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(new IssuedShareToken(ShareToken.Create("_act-secret-minted"), ClientId.Create("partner")));

        await _app.Send(new GenerateShareTokenCommand("abc123", "partner", 0, null, "req-1"));

        var recorded = _recorded.Should().ContainSingle().Subject;
        recorded.Should().BeEquivalentTo(new ShareEvent(0, App.Now, "billing", "ShareRpc", "main", "abc123", "partner", "OK", null, null, "req-1"));
        recorded.ToString().Should().NotContain("_act-secret-minted");
    }

    [Fact]
    public async Task An_import_is_recorded_under_the_applicant_it_created_and_our_client_id()
    {
        _app.Sumsub.ImportApplicantAsync(default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(new ImportedApplicant("newapplicant", "our-client", null, null, null, null));

        await _app.Send(new ImportApplicantCommand("_act-partner-secret", [], null, null, "eu", null));

        _recorded.Should().ContainSingle().Which.Should().BeEquivalentTo(
            new ShareEvent(0, App.Now, "billing", "ShareRpc", "eu", "newapplicant", "our-client", "OK", null, null, null));
        _recorded[0].ToString().Should().NotContain("_act-partner-secret");
    }

    [Fact]
    public async Task A_failure_is_recorded_with_its_kind_reason_and_upstream_correlation_id()
    {
        _app.Sumsub.GenerateShareTokenAsync(default!, default!, default!, default!, Arg.Any<CancellationToken>()).ReturnsForAnyArgs(
            new Error(ErrorKind.NotFound, "APPLICANT_NOT_FOUND", "no such applicant") { Upstream = new UpstreamFailure("sumsub", 404, "404", "corr-404") });

        await _app.Send(new ShareWithBanxaCommand("abc123", "customer-42", Email, Mobile, null, null));

        var recorded = _recorded.Should().ContainSingle().Subject;
        recorded.Should().BeEquivalentTo(new ShareEvent(0, App.Now, "billing", "ShareRpc", "main", "abc123", "customer-42", "NotFound", "APPLICANT_NOT_FOUND", "corr-404", null));
        recorded.ToString().Should().NotContain(Email).And.NotContain(Mobile).And.NotContain(Mobile.TrimStart('+'));
    }

    [Fact]
    public async Task An_invalid_request_is_not_a_share_action()
    {
        await _app.Send(new GenerateShareTokenCommand("", "partner", 0, null, null));

        _recorded.Should().BeEmpty();
    }

    [Fact]
    public async Task A_call_that_throws_is_recorded_and_the_exception_propagates()
    {
        _app.Sumsub.ImportApplicantAsync(default!, default!, Arg.Any<CancellationToken>()).ThrowsAsyncForAnyArgs(new OperationCanceledException());

        var act = () => _app.Send(new ImportApplicantCommand("_act-token", [], null, null, null, "req-2"));

        await act.Should().ThrowAsync<OperationCanceledException>();
        _recorded.Should().ContainSingle().Which.Should().BeEquivalentTo(
            new ShareEvent(0, App.Now, "billing", "ShareRpc", "main", null, null, "Cancelled", null, null, "req-2"));
    }

    [Fact]
    public async Task A_call_cut_off_by_its_deadline_is_recorded_as_deadline_exceeded_as_the_caller_was_told()
    {
        _app.Caller.DeadlineExceeded.Returns(true);
        _app.Sumsub.ImportApplicantAsync(default!, default!, Arg.Any<CancellationToken>()).ThrowsAsyncForAnyArgs(new OperationCanceledException());

        var act = () => _app.Send(new ImportApplicantCommand("_act-token", [], null, null, null, "req-4"));

        await act.Should().ThrowAsync<OperationCanceledException>();
        _recorded.Should().ContainSingle().Which.Outcome.Should().Be("DeadlineExceeded");
    }

    [Fact]
    public async Task A_cancellation_before_the_deadline_is_recorded_as_cancelled()
    {
        _app.Caller.DeadlineExceeded.Returns(false);
        _app.Sumsub.ImportApplicantAsync(default!, default!, Arg.Any<CancellationToken>()).ThrowsAsyncForAnyArgs(new OperationCanceledException());

        var act = () => _app.Send(new ImportApplicantCommand("_act-token", [], null, null, null, "req-5"));

        await act.Should().ThrowAsync<OperationCanceledException>();
        _recorded.Should().ContainSingle().Which.Outcome.Should().Be("Cancelled");
    }

    [Fact]
    public async Task A_replayed_outcome_is_not_recorded_again()
    {
        _app.IdempotencyStore.TryClaimAsync(default!, default!, default, default, default, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(IdentitySharing.Application.Idempotency.IdempotencyClaim.Completed(new IdentitySharing.Application.Idempotency.IdentityReferenceCodec().Encode(IdentityReference.Create("customer-42"))));

        var replayed = await _app.Send(new ShareWithBanxaCommand("abc123", "customer-42", Email, Mobile, null, "req-3"));

        replayed.Value.Value.Should().Be("customer-42");
        _recorded.Should().BeEmpty();
        await _app.Banxa.DidNotReceiveWithAnyArgs().ShareIdentityAsync(default!, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task When_the_ledger_cannot_record_the_outcome_is_still_returned_and_the_failure_logged()
    {
        _app.Ledger.RecordAsync(default!, Arg.Any<CancellationToken>()).ThrowsAsyncForAnyArgs(new IOException("database down"));
        _app.Sumsub.GenerateShareTokenAsync(default!, default!, default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(new IssuedShareToken(ShareToken.Create("_act-minted"), ClientId.Create("partner")));

        var result = await _app.Send(new GenerateShareTokenCommand("abc123", "partner", 0, null, null));

        result.IsSuccess.Should().BeTrue();
        _app.Logs.Entries.Should().Contain(e => e.Text.Contains("audit ledger could not record", StringComparison.Ordinal));
    }
}
