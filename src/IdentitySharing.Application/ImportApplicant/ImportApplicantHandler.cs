using IdentitySharing.Application.Common;
using IdentitySharing.Application.Idempotency;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using MediatR;

namespace IdentitySharing.Application.ImportApplicant;

/// <summary>
/// Imports once. When Sumsub got the import but its answer was lost
/// (<see cref="SumsubImportOutcome.UnknownReason"/>), the share token may be spent, so the
/// import is never repeated: with a <c>user_id</c> the handler looks the applicant up by that
/// external user id and returns it if it is plausibly this import's result; otherwise the
/// caller is told the outcome is unknown (<see cref="Error.MayHaveActed"/>).
/// <para>
/// A retry of such a request — or of one whose host died mid-import, or whose caller's
/// deadline cut the import off (<see cref="UpstreamRequestInterruptedException"/>) — arrives with
/// <see cref="IdempotentAttempt.PriorAttemptStartedAt"/> set. It looks before it imports: an
/// applicant with the <c>user_id</c>, created since that earlier attempt began, is the earlier
/// attempt's result and is returned without a second import; only when there is none is the
/// import sent. Without a <c>user_id</c> nothing can be looked up, so it never imports again:
/// it answers that the outcome is unknown (possibly pessimistic — the earlier attempt may have
/// died before sending anything — but a second import could misreport a spent token, or,
/// with a reusable token, create a duplicate applicant).
/// </para>
/// </summary>
public sealed class ImportApplicantHandler(ISumsubClient sumsub, ISumsubAccounts accounts, IdempotentAttempt attempt, TimeProvider time)
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
        if (attempt.PriorAttemptStartedAt is { } priorAttemptStartedAt)
        {
            if (await FindEarlierImportAsync(account.Value, import, priorAttemptStartedAt, cancellationToken).ConfigureAwait(false) is { } earlier)
            {
                return earlier;
            }
        }
        var startedAt = time.GetUtcNow();
        var imported = await sumsub.ImportApplicantAsync(account.Value, import, cancellationToken).ConfigureAwait(false);
        if (imported.IsSuccess || imported.Error.Reason != SumsubImportOutcome.UnknownReason)
        {
            return imported;
        }
        attempt.MayHaveActed = true;
        return await ReconcileAsync(account.Value, import, startedAt, imported.Error, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The earlier attempt's result, or its unknown outcome when it cannot be ruled out; null
    /// when the earlier attempt demonstrably imported nothing, so importing now is safe.
    /// </summary>
    private async Task<Result<ImportedApplicant>?> FindEarlierImportAsync(AccountName account, ApplicantImport import, DateTimeOffset priorAttemptStartedAt, CancellationToken cancellationToken)
    {
        var unknown = EarlierAttemptUnknown();
        if (import.UserId is null)
        {
            return unknown with { Message = unknown.Message + " Without a user_id it cannot be looked up; check the applicant in Sumsub, then import with a new request_id if it is missing." };
        }
        var found = await sumsub.FindApplicantByExternalUserIdAsync(account, import.UserId, cancellationToken).ConfigureAwait(false);
        if (found.IsSuccess)
        {
            return IsResultOf(found.Value, import, priorAttemptStartedAt)
                ? found.Value
                : unknown with { Message = unknown.Message + " An applicant with this user_id exists but does not look like this import's result." };
        }
        if (found.Error.Kind == ErrorKind.NotFound)
        {
            return null;
        }
        return unknown with { Message = unknown.Message + " Looking the applicant up by user_id failed; retry with the same request_id." };
    }

    private static Error EarlierAttemptUnknown() =>
        new(ErrorKind.Unavailable, SumsubImportOutcome.UnknownReason,
            "An earlier attempt with this request_id may have imported the applicant (its outcome was never stored), so the import is not sent again.")
        {
            MayHaveActed = true,
        };

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
