using IdentitySharing.Application.Common;
using IdentitySharing.Infrastructure.Http;

namespace IdentitySharing.Infrastructure.Sumsub;

/// <summary>
/// Sumsub's error answers as <see cref="Error"/>s. Descriptions are read only to tell a
/// rejected share token (the caller's input) from rejected credentials (our configuration);
/// they are never copied into messages, as they may echo the token.
/// </summary>
internal static class SumsubErrorMapper
{
    public const string Upstream = "sumsub";

    public static Error Map(UpstreamResponse response, bool importingShareToken)
    {
        var body = JsonFields.ParseObject(response.Body);
        var errorCode = body.Integer("errorCode");
        var failure = new UpstreamFailure(
            Upstream,
            response.StatusCode,
            // Ids only as plain identifiers (UpstreamText.Id): they reach ErrorInfo, grpc-message and the ledger.
            errorCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? UpstreamText.Id(body.String("errorName")),
            UpstreamText.Id(body.String("correlationId")));

        return response.StatusCode switch
        {
            400 => MapBadRequest(failure, errorCode),
            401 when importingShareToken && (errorCode is 10503 or 10504 || DescribesShareToken(body.String("description"))) =>
                ShareTokenRejected(failure),
            404 => UpstreamErrors.NotFound(failure, "APPLICANT_NOT_FOUND", "Sumsub has no such applicant (or it was deleted)."),
            _ => UpstreamErrors.Generic(failure, response.RetryAfter),
        };
    }

    private static Error MapBadRequest(UpstreamFailure failure, long? errorCode) => errorCode switch
    {
        10503 or 10504 => ShareTokenRejected(failure),
        10501 => new Error(ErrorKind.FailedPrecondition, "RECIPIENT_NOT_A_PARTNER",
            "Sumsub says the recipient client is not in this account's partners list.") { Upstream = failure },
        10502 => new Error(ErrorKind.FailedPrecondition, "INVALID_PARTNER_ID",
            "Sumsub says the partner client id is invalid.") { Upstream = failure },
        10518 => new Error(ErrorKind.FailedPrecondition, "COPY_APPLICANT_DISABLED",
            "Sumsub says applicant copying is disabled for this account.") { Upstream = failure },
        _ => UpstreamErrors.RejectedRequest(failure),
    };

    private static Error ShareTokenRejected(UpstreamFailure failure) =>
        new(ErrorKind.FailedPrecondition, "SHARE_TOKEN_REJECTED",
            "Sumsub rejected the share token: it is invalid, expired, already used or not issued for this account.")
        { Upstream = failure };

    // "Token is invalid or expired" is about the share token; "App token ..." or a signature
    // mismatch is about this service's credentials.
    private static bool DescribesShareToken(string? description)
    {
        if (string.IsNullOrEmpty(description))
        {
            return false;
        }
        var text = description.ToUpperInvariant();
        if (text.Contains("APP TOKEN", StringComparison.Ordinal) || text.Contains("APP-TOKEN", StringComparison.Ordinal)
            || text.Contains("SIGNATURE", StringComparison.Ordinal))
        {
            return false;
        }
        return text.Contains("SHARE", StringComparison.Ordinal) || text.Contains("TOKEN", StringComparison.Ordinal);
    }
}
