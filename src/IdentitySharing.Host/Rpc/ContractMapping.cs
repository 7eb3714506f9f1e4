using Google.Protobuf.WellKnownTypes;
using IdentitySharing.Application.GenerateShareToken;
using IdentitySharing.Application.ImportApplicant;
using IdentitySharing.Application.Ports;
using IdentitySharing.Application.ShareWithBanxa;
using IdentitySharing.Contracts.V1;
using IdentitySharing.Domain;

namespace IdentitySharing.Host.Rpc;

/// <summary>
/// Explicit, static mapping between the proto contract and the application's commands and
/// results. Generated protobuf types stop here: nothing inward sees them.
/// </summary>
public static class ContractMapping
{
    public static GenerateShareTokenCommand ToCommand(GenerateShareTokenRequest request) =>
        new(request.ApplicantId, request.ForClientId, request.TtlSeconds, request.Account, request.RequestId);

    public static ImportApplicantCommand ToCommand(ImportApplicantRequest request) =>
        new(request.ShareToken, [.. request.ResetIdDocSetTypes], request.UserId, request.LevelName, request.Account, request.RequestId);

    public static ShareWithBanxaCommand ToCommand(ShareWithBanxaRequest request) =>
        new(request.ApplicantId, request.IdentityReference, request.Email, request.MobileNumber, request.Account, request.RequestId);

    public static GenerateShareTokenResponse ToResponse(ShareTokenGenerated generated) => new()
    {
        Token = generated.Token.Value,
        ForClientId = generated.ForClientId.Value,
        ExpiresAt = Timestamp.FromDateTimeOffset(generated.ExpiresAt),
    };

    public static ImportApplicantResponse ToResponse(ImportedApplicant applicant) => new()
    {
        Applicant = new Applicant
        {
            Id = applicant.Id,
            ClientId = applicant.ClientId ?? string.Empty,
            ExternalUserId = applicant.ExternalUserId ?? string.Empty,
            CreatedAt = applicant.CreatedAt is { } createdAt ? Timestamp.FromDateTimeOffset(createdAt) : null,
            LevelName = applicant.LevelName ?? string.Empty,
            ReviewStatus = applicant.ReviewStatus ?? string.Empty,
        },
    };

    public static ShareWithBanxaResponse ToResponse(IdentityReference accepted) => new() { IdentityReference = accepted.Value };
}
