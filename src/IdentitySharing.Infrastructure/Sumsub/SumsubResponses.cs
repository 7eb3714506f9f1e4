using System.Globalization;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using IdentitySharing.Infrastructure.Http;

namespace IdentitySharing.Infrastructure.Sumsub;

/// <summary>Lenient parsing of Sumsub's success bodies: unknown fields are fine, missing optional ones are null.</summary>
internal static class SumsubResponses
{
    public static Result<IssuedShareToken> ParseShareToken(UpstreamResponse response, ClientId requestedFor)
    {
        var body = JsonFields.ParseObject(response.Body);
        if (!ShareToken.TryCreate(body.String("token"), out var token, out _))
        {
            return UpstreamErrors.BadResponse(SumsubErrorMapper.Upstream, response.StatusCode, "no usable share token in the body");
        }
        var forClientId = ClientId.TryCreate(body.String("forClientId"), out var echoed, out _) ? echoed : requestedFor;
        return new IssuedShareToken(token, forClientId);
    }

    public static Result<ImportedApplicant> ParseApplicant(UpstreamResponse response)
    {
        var body = JsonFields.ParseObject(response.Body);
        var id = body.String("id");
        if (string.IsNullOrEmpty(id))
        {
            return UpstreamErrors.BadResponse(SumsubErrorMapper.Upstream, response.StatusCode, "no applicant id in the body");
        }
        return new ImportedApplicant(
            id,
            body.String("clientId"),
            body.String("externalUserId"),
            ParseCreatedAt(body.String("createdAt")),
            body.String("levelName"),
            body.Object("review").String("reviewStatus"));
    }

    /// <summary>Sumsub writes <c>yyyy-MM-dd HH:mm:ss</c> in UTC; ISO 8601 is accepted too.</summary>
    internal static DateTimeOffset? ParseCreatedAt(string? raw)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return null;
        }
        const DateTimeStyles utc = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (DateTimeOffset.TryParseExact(raw, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, utc, out var exact))
        {
            return exact;
        }
        return DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, utc, out var iso) ? iso : null;
    }
}
