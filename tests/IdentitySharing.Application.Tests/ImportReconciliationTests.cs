using IdentitySharing.Application.Common;
using IdentitySharing.Application.Idempotency;
using IdentitySharing.Application.ImportApplicant;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace IdentitySharing.Application.Tests;

/// <summary>
/// An import whose answer was lost is reconciled by user_id, never repeated; so is the retry of
/// a request whose earlier attempt stored no outcome (its host died, or its outcome was unknown).
/// </summary>
public sealed class ImportReconciliationTests : IDisposable
{
    private static readonly Error Unknown = new(ErrorKind.Unavailable, SumsubImportOutcome.UnknownReason, "The import's outcome is unknown.") { MayHaveActed = true };
    private static readonly DateTimeOffset EarlierAttemptStartedAt = App.Now.AddMinutes(-5);

    private readonly App _app = new();

    public ImportReconciliationTests() =>
        _app.Sumsub.ImportApplicantAsync(default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(Result<ImportedApplicant>.Failure(Unknown));

    public void Dispose() => _app.Dispose();

    private Task<Result<ImportedApplicant>> Import(string? userId, string? level = null) =>
        _app.Send(new ImportApplicantCommand("_act-partner-token", [], userId, level, null, null));

    private void LookupFinds(ImportedApplicant applicant) =>
        _app.Sumsub.FindApplicantByExternalUserIdAsync(default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(Result<ImportedApplicant>.Success(applicant));

    [Fact]
    public async Task An_applicant_created_by_the_import_is_returned()
    {
        var applicant = new ImportedApplicant("applicant1", "our.client", "user-7", App.Now.AddSeconds(1), "basic-kyc-level", "init");
        LookupFinds(applicant);

        var result = await Import("user-7");

        result.Value.Should().BeSameAs(applicant);
        await _app.Sumsub.Received(1).ImportApplicantAsync(Arg.Any<AccountName>(), Arg.Any<ApplicantImport>(), Arg.Any<CancellationToken>());
        await _app.Sumsub.Received(1).FindApplicantByExternalUserIdAsync(App.DefaultAccount, ExternalUserId.Create("user-7"), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_look_up_cancelled_after_a_lost_import_answer_keeps_the_request_ids_claim_for_the_retry()
    {
        _app.Sumsub.FindApplicantByExternalUserIdAsync(default!, default!, Arg.Any<CancellationToken>())
            .ThrowsAsyncForAnyArgs(new OperationCanceledException());

        var act = () => _app.Send(new ImportApplicantCommand("_act-partner-token", [], "user-7", null, null, "req-lost-then-cancelled"));

        await act.Should().ThrowAsync<OperationCanceledException>();
        await _app.IdempotencyStore.ReceivedWithAnyArgs(1).AbandonAsync(default!, default!, default, Arg.Any<CancellationToken>());
        await _app.IdempotencyStore.DidNotReceiveWithAnyArgs().ReleaseAsync(default!, default!, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_applicant_that_existed_before_the_import_is_not_taken_for_its_result()
    {
        LookupFinds(new ImportedApplicant("older", "our.client", "user-7", App.Now.AddDays(-3), null, null));

        var result = await Import("user-7");

        result.Error!.Reason.Should().Be(SumsubImportOutcome.UnknownReason);
        result.Error.Kind.Should().Be(ErrorKind.Unavailable);
    }

    [Fact]
    public async Task An_applicant_on_another_level_is_not_taken_for_its_result()
    {
        LookupFinds(new ImportedApplicant("other", "our.client", "user-7", App.Now, "other-level", null));

        (await Import("user-7", level: "basic-kyc-level")).Error!.Reason.Should().Be(SumsubImportOutcome.UnknownReason);
    }

    [Fact]
    public async Task No_applicant_found_leaves_the_outcome_unknown()
    {
        _app.Sumsub.FindApplicantByExternalUserIdAsync(default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(Result<ImportedApplicant>.Failure(new Error(ErrorKind.NotFound, "APPLICANT_NOT_FOUND", "none")));

        var result = await Import("user-7");

        result.Error!.Reason.Should().Be(SumsubImportOutcome.UnknownReason);
        result.Error.Message.Should().Contain("No applicant with this user_id");
    }

    [Fact]
    public async Task Without_a_user_id_nothing_is_looked_up_and_the_outcome_is_unknown()
    {
        var result = await Import(userId: null);

        result.Error!.Reason.Should().Be(SumsubImportOutcome.UnknownReason);
        await _app.Sumsub.DidNotReceiveWithAnyArgs().FindApplicantByExternalUserIdAsync(default!, default!, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Other_failures_are_returned_as_they_are()
    {
        var rejected = new Error(ErrorKind.FailedPrecondition, "SHARE_TOKEN_REJECTED", "used");
        _app.Sumsub.ImportApplicantAsync(default!, default!, Arg.Any<CancellationToken>()).ReturnsForAnyArgs(Result<ImportedApplicant>.Failure(rejected));

        (await Import("user-7")).Error.Should().BeSameAs(rejected);
        await _app.Sumsub.DidNotReceiveWithAnyArgs().FindApplicantByExternalUserIdAsync(default!, default!, TestContext.Current.CancellationToken);
    }

    private Task<Result<ImportedApplicant>> RetryAfterAnEarlierAttempt(string? userId)
    {
        _app.IdempotencyStore.TryClaimAsync(default!, default!, default, default, default, default)
            .ReturnsForAnyArgs(IdempotencyClaim.Acquired("claim-2", EarlierAttemptStartedAt));
        return _app.Send(new ImportApplicantCommand("_act-partner-token", [], userId, null, null, "request-1"));
    }

    private void LookupFindsNothing() =>
        _app.Sumsub.FindApplicantByExternalUserIdAsync(default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(Result<ImportedApplicant>.Failure(new Error(ErrorKind.NotFound, "APPLICANT_NOT_FOUND", "none")));

    [Fact]
    public async Task A_lost_answer_abandons_the_idempotency_claim_so_the_retry_reconciles_instead_of_importing_blindly()
    {
        LookupFindsNothing();

        var result = await _app.Send(new ImportApplicantCommand("_act-partner-token", [], "user-7", null, null, "request-1"));

        result.Error!.MayHaveActed.Should().BeTrue();
        await _app.IdempotencyStore.Received(1).AbandonAsync(Arg.Any<IdempotencyKey>(), "claim", App.Now, Arg.Any<CancellationToken>());
        await _app.IdempotencyStore.DidNotReceiveWithAnyArgs().ReleaseAsync(default!, default!, TestContext.Current.CancellationToken);
        await _app.IdempotencyStore.DidNotReceiveWithAnyArgs().CompleteAsync(default!, default!, default!, default, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_retry_finds_the_earlier_attempts_applicant_and_returns_it_without_importing_again()
    {
        var applicant = new ImportedApplicant("applicant1", "our.client", "user-7", EarlierAttemptStartedAt.AddSeconds(2), null, "init");
        LookupFinds(applicant);

        var result = await RetryAfterAnEarlierAttempt("user-7");

        result.Value.Should().BeSameAs(applicant);
        await _app.Sumsub.DidNotReceiveWithAnyArgs().ImportApplicantAsync(default!, default!, TestContext.Current.CancellationToken);
        await _app.IdempotencyStore.Received(1).CompleteAsync(Arg.Any<IdempotencyKey>(), "claim-2", Arg.Any<string>(), Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_retry_imports_when_the_earlier_attempt_left_no_applicant()
    {
        LookupFindsNothing();
        var imported = new ImportedApplicant("applicant2", "our.client", "user-7", App.Now, null, "init");
        _app.Sumsub.ImportApplicantAsync(default!, default!, Arg.Any<CancellationToken>()).ReturnsForAnyArgs(Result<ImportedApplicant>.Success(imported));

        var result = await RetryAfterAnEarlierAttempt("user-7");

        result.Value.Should().BeSameAs(imported);
        Received.InOrder(() =>
        {
            _app.Sumsub.FindApplicantByExternalUserIdAsync(App.DefaultAccount, ExternalUserId.Create("user-7"), Arg.Any<CancellationToken>());
            _app.Sumsub.ImportApplicantAsync(App.DefaultAccount, Arg.Any<ApplicantImport>(), Arg.Any<CancellationToken>());
        });
    }

    [Fact]
    public async Task A_retry_without_a_user_id_does_not_import_again_and_keeps_the_outcome_unknown()
    {
        var result = await RetryAfterAnEarlierAttempt(userId: null);

        result.Error!.Reason.Should().Be(SumsubImportOutcome.UnknownReason);
        result.Error.MayHaveActed.Should().BeTrue();
        result.Error.Message.Should().Contain("new request_id");
        await _app.Sumsub.DidNotReceiveWithAnyArgs().ImportApplicantAsync(default!, default!, TestContext.Current.CancellationToken);
        await _app.Sumsub.DidNotReceiveWithAnyArgs().FindApplicantByExternalUserIdAsync(default!, default!, TestContext.Current.CancellationToken);
        await _app.IdempotencyStore.Received(1).AbandonAsync(Arg.Any<IdempotencyKey>(), "claim-2", App.Now, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_retry_whose_lookup_fails_does_not_import_and_stays_unknown()
    {
        _app.Sumsub.FindApplicantByExternalUserIdAsync(default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(Result<ImportedApplicant>.Failure(new Error(ErrorKind.Unavailable, "UPSTREAM_UNAVAILABLE", "503")));

        var result = await RetryAfterAnEarlierAttempt("user-7");

        result.Error!.Reason.Should().Be(SumsubImportOutcome.UnknownReason);
        result.Error.MayHaveActed.Should().BeTrue();
        await _app.Sumsub.DidNotReceiveWithAnyArgs().ImportApplicantAsync(default!, default!, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_retry_does_not_take_an_applicant_older_than_the_earlier_attempt_for_its_result()
    {
        LookupFinds(new ImportedApplicant("older", "our.client", "user-7", EarlierAttemptStartedAt.AddDays(-1), null, null));

        var result = await RetryAfterAnEarlierAttempt("user-7");

        result.Error!.Reason.Should().Be(SumsubImportOutcome.UnknownReason);
        await _app.Sumsub.DidNotReceiveWithAnyArgs().ImportApplicantAsync(default!, default!, TestContext.Current.CancellationToken);
    }
}
