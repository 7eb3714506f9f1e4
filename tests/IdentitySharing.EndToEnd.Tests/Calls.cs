using IdentitySharing.Contracts.V1;
using IdentitySharing.Testing.Grpc;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>The three RPCs over the wire, by their contract paths.</summary>
public static class Calls
{
    private const string Service = "/identitysharing.v1.IdentitySharingService/";

    public static Task<GrpcCallResult<GenerateShareTokenResponse>> GenerateShareToken(this GrpcWireClient client, GenerateShareTokenRequest request, TimeSpan? timeout = null) =>
        client.UnaryAsync(Service + "GenerateShareToken", request, GenerateShareTokenResponse.Parser, timeout: timeout);

    public static Task<GrpcCallResult<ImportApplicantResponse>> ImportApplicant(this GrpcWireClient client, ImportApplicantRequest request, TimeSpan? timeout = null) =>
        client.UnaryAsync(Service + "ImportApplicant", request, ImportApplicantResponse.Parser, timeout: timeout);

    public static Task<GrpcCallResult<ShareWithBanxaResponse>> ShareWithBanxa(this GrpcWireClient client, ShareWithBanxaRequest request, TimeSpan? timeout = null) =>
        client.UnaryAsync(Service + "ShareWithBanxa", request, ShareWithBanxaResponse.Parser, timeout: timeout);
}
