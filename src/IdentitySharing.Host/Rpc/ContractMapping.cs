using Google.Protobuf.WellKnownTypes;
using IdentitySharing.Application.GenerateShareToken;
using IdentitySharing.Application.ImportApplicant;
using IdentitySharing.Application.ListShareEvents;
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

    public static ListShareEventsQuery ToQuery(ListShareEventsRequest request) =>
        new(request.ApplicantId, request.Recipient, request.Caller,
            request.StartTime is { } start ? new ProtoInstant(start.Seconds, start.Nanos) : null,
            request.EndTime is { } end ? new ProtoInstant(end.Seconds, end.Nanos) : null,
            request.PageSize, request.PageToken);

    public static ListShareEventsResponse ToResponse(ShareEventPage page)
    {
        var response = new ListShareEventsResponse { NextPageToken = page.NextPageToken ?? string.Empty };
        response.Events.AddRange(page.Events.Select(ToContract));
        return response;
    }

    private static Contracts.V1.ShareEvent ToContract(Application.Audit.ShareEvent recorded) => new()
    {
        Id = recorded.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        OccurredAt = Timestamp.FromDateTimeOffset(recorded.OccurredAt),
        Caller = recorded.Caller,
        Rpc = recorded.Rpc,
        Account = recorded.Account ?? string.Empty,
        ApplicantId = recorded.ApplicantId ?? string.Empty,
        Recipient = recorded.Recipient ?? string.Empty,
        Outcome = recorded.Outcome,
        ErrorReason = recorded.ErrorReason ?? string.Empty,
        UpstreamCorrelationId = recorded.UpstreamCorrelationId ?? string.Empty,
        RequestId = recorded.RequestId ?? string.Empty,
    };
}
