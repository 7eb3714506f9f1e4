using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace IdentitySharing.Infrastructure.Sandbox;

/// <summary>
/// The simulated Sumsub API: checks X-App-* signatures (timestamp within 60 s), mints share
/// tokens, imports applicants and finds an applicant by external user id (within the calling
/// account's client id), answering with Sumsub's status codes and error bodies.
/// </summary>
internal sealed class SandboxSumsub(
    SandboxApplicantStore store,
    IReadOnlyList<SandboxAccount> accounts,
    IReadOnlySet<string> partnerClientIds,
    TimeProvider timeProvider)
{
    private static readonly TimeSpan ClockTolerance = TimeSpan.FromSeconds(60);
    private const int DefaultTtlSeconds = 1200;
    private const int MaxTtlSeconds = 86_400;
    private const string ByExternalUserIdPrefix = "/resources/applicants/-;externalUserId=";
    private const string ByExternalUserIdSuffix = "/one";

    public async Task HandleAsync(HttpContext context)
    {
        var body = await SandboxHttp.ReadBodyAsync(context).ConfigureAwait(false);
        var account = Authenticate(context, body, out var authError);
        if (account is null)
        {
            await Fail(context, 401, authError!).ConfigureAwait(false);
            return;
        }
        var path = context.Request.Path.Value;
        if (HttpMethods.IsPost(context.Request.Method) && path == "/resources/accessTokens/shareToken")
        {
            await GenerateShareToken(context, account, body).ConfigureAwait(false);
        }
        else if (HttpMethods.IsPost(context.Request.Method) && path == "/resources/applicants/-/import")
        {
            await Import(context, account).ConfigureAwait(false);
        }
        else if (HttpMethods.IsGet(context.Request.Method) && ExternalUserIdOf(context) is { } externalUserId)
        {
            await FindByExternalUserId(context, account, externalUserId).ConfigureAwait(false);
        }
        else
        {
            await Fail(context, 404, "Resource not found").ConfigureAwait(false);
        }
    }

    private SandboxAccount? Authenticate(HttpContext context, byte[] body, out string? error)
    {
        var headers = context.Request.Headers;
        var account = accounts.FirstOrDefault(a => a.AppToken == headers["X-App-Token"].ToString());
        if (account is null)
        {
            error = "App token does not exist or is invalid";
            return null;
        }
        if (!long.TryParse(headers["X-App-Access-Ts"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || (timeProvider.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253_402_300_799))).Duration() > ClockTolerance)
        {
            error = "Request timestamp is missing or not within a minute of the server's time";
            return null;
        }
        if (!SandboxSignatures.SumsubSignatureMatches(account.SecretKey, headers["X-App-Access-Ts"].ToString(), context.Request.Method,
                SandboxHttp.RawTarget(context), body, headers["X-App-Access-Sig"].ToString()))
        {
            error = "Request signature mismatch";
            return null;
        }
        error = null;
        return account;
    }

    private async Task GenerateShareToken(HttpContext context, SandboxAccount account, byte[] body)
    {
        if (SandboxHttp.TryParseObject(body) is not { } json)
        {
            await Fail(context, 400, "Request body is not a JSON object").ConfigureAwait(false);
            return;
        }
        var applicantId = SandboxHttp.StringProperty(json, "applicantId");
        var forClientId = SandboxHttp.StringProperty(json, "forClientId");
        var ttl = DefaultTtlSeconds;
        if (json.TryGetProperty("ttlInSecs", out var ttlElement) && (!ttlElement.TryGetInt32(out ttl) || ttl is < 1 or > MaxTtlSeconds))
        {
            await Fail(context, 400, "ttlInSecs is out of range").ConfigureAwait(false);
            return;
        }
        if (string.IsNullOrEmpty(applicantId) || string.IsNullOrEmpty(forClientId))
        {
            await Fail(context, 400, "applicantId and forClientId are required").ConfigureAwait(false);
            return;
        }
        if (store.Find(applicantId, account.ClientId) is null)
        {
            await Fail(context, 404, "Applicant not found").ConfigureAwait(false);
            return;
        }
        if (forClientId == account.ClientId || !partnerClientIds.Contains(forClientId))
        {
            await Fail(context, 400, "The recipient is not in the partners list", 10501, "not-in-partners-list").ConfigureAwait(false);
            return;
        }
        var token = store.IssueToken(applicantId, account.ClientId, forClientId, TimeSpan.FromSeconds(ttl));
        await SandboxHttp.WriteJsonAsync(context, 200, new { token, forClientId }).ConfigureAwait(false);
    }

    private async Task Import(HttpContext context, SandboxAccount account)
    {
        var query = context.Request.Query;
        var token = query["shareToken"].ToString();
        var resetTypes = query["resetIdDocSetTypes"].ToString();
        var userId = query["userId"].ToString();
        var levelName = query["levelName"].ToString();
        var (outcome, applicant) = store.Redeem(token, account.ClientId,
            userId.Length > 0 ? userId : null, levelName.Length > 0 ? levelName : null, resetTypes.Split(',', StringSplitOptions.RemoveEmptyEntries));
        switch (outcome)
        {
            case RedemptionOutcome.InvalidToken:
                await Fail(context, 401, "Token is invalid or expired").ConfigureAwait(false);
                return;
            case RedemptionOutcome.WrongRecipient:
                await Fail(context, 400, "The share token was not issued for this client", 10504, "non-suitable-share-token").ConfigureAwait(false);
                return;
            case RedemptionOutcome.ApplicantGone:
                await Fail(context, 404, "Applicant not found").ConfigureAwait(false);
                return;
        }
        await WriteApplicant(context, applicant!).ConfigureAwait(false);
    }

    /// <summary>
    /// The external user id of <c>GET /resources/applicants/-;externalUserId={id}/one</c>, read
    /// from the raw target (the client URL-encoded it once, so an encoded <c>/</c> stays in the
    /// segment); null for any other path.
    /// </summary>
    private static string? ExternalUserIdOf(HttpContext context)
    {
        var path = SandboxHttp.RawTarget(context).Split('?')[0];
        if (!path.StartsWith(ByExternalUserIdPrefix, StringComparison.Ordinal) || !path.EndsWith(ByExternalUserIdSuffix, StringComparison.Ordinal)
            || path.Length <= ByExternalUserIdPrefix.Length + ByExternalUserIdSuffix.Length)
        {
            return null;
        }
        var encoded = path[ByExternalUserIdPrefix.Length..^ByExternalUserIdSuffix.Length];
        return encoded.Contains('/', StringComparison.Ordinal) ? null : Uri.UnescapeDataString(encoded);
    }

    private async Task FindByExternalUserId(HttpContext context, SandboxAccount account, string externalUserId)
    {
        if (store.FindByExternalUserId(externalUserId, account.ClientId) is not { } applicant)
        {
            await Fail(context, 404, "Applicant not found").ConfigureAwait(false);
            return;
        }
        await WriteApplicant(context, applicant).ConfigureAwait(false);
    }

    /// <summary>An applicant as Sumsub returns it, from an import and from a read alike.</summary>
    private static Task WriteApplicant(HttpContext context, SandboxApplicant a) =>
        SandboxHttp.WriteJsonAsync(context, 200, new
        {
            id = a.Id,
            createdAt = a.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            clientId = a.ClientId,
            externalUserId = a.ExternalUserId,
            info = new { firstName = a.FirstName, lastName = a.LastName },
            review = new { reviewStatus = a.ReviewStatus },
            levelName = a.LevelName,
            requiredIdDocs = new { docSets = a.ResetIdDocSetTypes.Select(t => new { idDocSetType = t }) },
        });

    private static Task Fail(HttpContext context, int status, string description, int? errorCode = null, string? errorName = null) =>
        SandboxHttp.WriteJsonAsync(context, status, new
        {
            description,
            code = status,
            correlationId = "sbx-" + SandboxHttp.NewId(),
            errorCode,
            errorName,
        });
}
