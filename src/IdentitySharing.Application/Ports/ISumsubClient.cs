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

    Task<Result<ImportedApplicant>> ImportApplicantAsync(AccountName account, ApplicantImport import, CancellationToken cancellationToken);
}
