using IdentitySharing.Application.GenerateShareToken;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;

namespace IdentitySharing.Application.Idempotency;

/// <summary>
/// The stored form of a minted share token. It is a credential: idempotency records hold it for
/// the retention period so a retry gets the same token; it is never logged.
/// </summary>
public sealed class ShareTokenGeneratedCodec : JsonOutcomeCodec<ShareTokenGenerated, ShareTokenGeneratedCodec.Dto>
{
    public sealed record Dto(string Token, string ForClientId, DateTimeOffset ExpiresAt);

    protected override Dto ToDto(ShareTokenGenerated value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value.Token.Value, value.ForClientId.Value, value.ExpiresAt);
    }

    protected override ShareTokenGenerated FromDto(Dto dto)
    {
        ArgumentNullException.ThrowIfNull(dto);
        return new(ShareToken.Create(dto.Token), ClientId.Create(dto.ForClientId), dto.ExpiresAt);
    }
}

/// <summary>The stored form of an imported applicant.</summary>
public sealed class ImportedApplicantCodec : JsonOutcomeCodec<ImportedApplicant, ImportedApplicantCodec.Dto>
{
    public sealed record Dto(string Id, string? ClientId, string? ExternalUserId, DateTimeOffset? CreatedAt, string? LevelName, string? ReviewStatus);

    protected override Dto ToDto(ImportedApplicant value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value.Id, value.ClientId, value.ExternalUserId, value.CreatedAt, value.LevelName, value.ReviewStatus);
    }

    protected override ImportedApplicant FromDto(Dto dto)
    {
        ArgumentNullException.ThrowIfNull(dto);
        return new(dto.Id, dto.ClientId, dto.ExternalUserId, dto.CreatedAt, dto.LevelName, dto.ReviewStatus);
    }
}

/// <summary>The stored form of Banxa's accepted identity reference.</summary>
public sealed class IdentityReferenceCodec : JsonOutcomeCodec<IdentityReference, IdentityReferenceCodec.Dto>
{
    public sealed record Dto(string IdentityReference);

    protected override Dto ToDto(IdentityReference value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value.Value);
    }

    protected override IdentityReference FromDto(Dto dto)
    {
        ArgumentNullException.ThrowIfNull(dto);
        return IdentityReference.Create(dto.IdentityReference);
    }
}
