using IdentitySharing.Application.Common;
using IdentitySharing.Application.ImportApplicant;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using NSubstitute;

namespace IdentitySharing.Application.Tests;

/// <summary>An import whose answer was lost is reconciled by user_id, never repeated.</summary>
public sealed class ImportReconciliationTests : IDisposable
{
    private static readonly Error Unknown = new(ErrorKind.Unavailable, SumsubImportOutcome.UnknownReason, "The import's outcome is unknown.");

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
}
