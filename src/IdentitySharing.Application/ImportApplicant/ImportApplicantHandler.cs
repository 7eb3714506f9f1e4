using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using MediatR;

namespace IdentitySharing.Application.ImportApplicant;

/// <summary>
/// Imports once. When Sumsub got the import but its answer was lost
/// (<see cref="SumsubImportOutcome.UnknownReason"/>), the share token may be spent, so the
/// import is never repeated: with a <c>user_id</c> the handler looks the applicant up by that
/// external user id and returns it if it is plausibly this import's result; otherwise the
/// caller is told the outcome is unknown.
/// </summary>
public sealed class ImportApplicantHandler(ISumsubClient sumsub, ISumsubAccounts accounts, TimeProvider time)
    : IRequestHandler<ImportApplicantCommand, Result<ImportedApplicant>>
{
    /// <summary>Allowed difference between our clock and Sumsub's when judging "created by this import".</summary>
    public static readonly TimeSpan ClockSkewTolerance = TimeSpan.FromMinutes(2);

    public async Task<Result<ImportedApplicant>> Handle(ImportApplicantCommand request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var account = SumsubAccountResolution.Resolve(accounts, request.Account);
        if (!account.IsSuccess)
        {
            return account.Error;
        }
        var import = new ApplicantImport(
            ShareToken.Create(request.ShareToken),
            DocumentSetTypeList.Create(request.ResetIdDocSetTypes),
            string.IsNullOrEmpty(request.UserId) ? null : ExternalUserId.Create(request.UserId),
            string.IsNullOrEmpty(request.LevelName) ? null : LevelName.Create(request.LevelName));
        var startedAt = time.GetUtcNow();
        var imported = await sumsub.ImportApplicantAsync(account.Value, import, cancellationToken).ConfigureAwait(false);
        if (imported.IsSuccess || imported.Error.Reason != SumsubImportOutcome.UnknownReason)
        {
            return imported;
        }
        return await ReconcileAsync(account.Value, import, startedAt, imported.Error, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Result<ImportedApplicant>> ReconcileAsync(AccountName account, ApplicantImport import, DateTimeOffset startedAt, Error unknown, CancellationToken cancellationToken)
    {
        if (import.UserId is null)
        {
            return unknown with { Message = unknown.Message + " Without a user_id it cannot be looked up; check the applicant in Sumsub before importing again." };
        }
        var found = await sumsub.FindApplicantByExternalUserIdAsync(account, import.UserId, cancellationToken).ConfigureAwait(false);
        if (found.IsSuccess && IsResultOf(found.Value, import, startedAt))
        {
            return found.Value;
        }
        var why = found.IsSuccess
            ? " An applicant with this user_id exists but does not look like this import's result."
            : found.Error.Kind == ErrorKind.NotFound
                ? " No applicant with this user_id exists yet."
                : " Looking the applicant up by user_id failed too.";
        return unknown with { Message = unknown.Message + why };
    }

    /// <summary>Created no earlier than the import started (within clock skew), for this user and level.</summary>
    private static bool IsResultOf(ImportedApplicant applicant, ApplicantImport import, DateTimeOffset startedAt) =>
        applicant.CreatedAt is { } createdAt
        && createdAt >= startedAt - ClockSkewTolerance
        && string.Equals(applicant.ExternalUserId, import.UserId!.Value, StringComparison.Ordinal)
        && (import.LevelName is null || applicant.LevelName is null || string.Equals(applicant.LevelName, import.LevelName.Value, StringComparison.Ordinal));
}
