using IdentitySharing.Application.Common;
using IdentitySharing.Domain;

namespace IdentitySharing.Application.Ports;

/// <summary>A share token Sumsub issued.</summary>
public sealed record IssuedShareToken(ShareToken Token, ClientId ForClientId);

/// <summary>What an import asks Sumsub for.</summary>
public sealed record ApplicantImport(
    ShareToken ShareToken,
    IReadOnlyList<DocumentSetType> ResetIdDocSetTypes,
    ExternalUserId? UserId,
    LevelName? LevelName);

/// <summary>An applicant as Sumsub returned it; fields Sumsub left out are null.</summary>
public sealed record ImportedApplicant(
    string Id,
    string? ClientId,
    string? ExternalUserId,
    DateTimeOffset? CreatedAt,
    string? LevelName,
    string? ReviewStatus);

/// <summary>
/// Sumsub's signed REST API, for one of the configured accounts. Implementations sign every
/// request and turn upstream failures into <see cref="Error"/>s (never exceptions for
/// expected failures); cancelling the token ends the call.
/// </summary>
public interface ISumsubClient
{
    Task<Result<IssuedShareToken>> GenerateShareTokenAsync(AccountName account, ApplicantId applicantId, ClientId forClientId, ShareTokenTtl ttl, CancellationToken cancellationToken);

    /// <summary>
    /// Imports from a share token. Never repeated once the request may have been sent: if the
    /// answer is lost the error's reason is <see cref="SumsubImportOutcome.UnknownReason"/>.
    /// </summary>
    Task<Result<ImportedApplicant>> ImportApplicantAsync(AccountName account, ApplicantImport import, CancellationToken cancellationToken);

    /// <summary>The account's applicant with this external user id; NOT_FOUND when there is none.</summary>
    Task<Result<ImportedApplicant>> FindApplicantByExternalUserIdAsync(AccountName account, ExternalUserId externalUserId, CancellationToken cancellationToken);
}

/// <summary>An import whose outcome nobody knows: the request reached Sumsub but its answer did not come back.</summary>
public static class SumsubImportOutcome
{
    /// <summary>
    /// ErrorInfo reason (kind <see cref="ErrorKind.Unavailable"/>) for an import that may or may
    /// not have happened. Unlike other transient failures, a blind retry with the same share
    /// token can misreport (the token may be spent): a retry should reconcile instead.
    /// </summary>
    public const string UnknownReason = "IMPORT_OUTCOME_UNKNOWN";
}
