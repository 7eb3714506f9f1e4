using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using IdentitySharing.Infrastructure.Configuration;
using IdentitySharing.Infrastructure.Http;
using IdentitySharing.Infrastructure.Resilience;

namespace IdentitySharing.Infrastructure.Sumsub;

/// <summary>
/// Sumsub's REST API for the configured accounts: builds each request once, signs exactly the
/// bytes it sends and maps the answer. The caller's token bounds each call; when it fires the
/// <see cref="OperationCanceledException"/> propagates (the host maps it to DEADLINE_EXCEEDED).
/// Every call goes through <see cref="UpstreamResilience"/>: minting and reads are retried when
/// they fail transiently; an import only when its request never left (a sent import may have
/// consumed the single-use token, so a lost answer is reported as an unknown outcome).
/// </summary>
public sealed class SumsubClient : ISumsubClient
{
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly SumsubAccountCatalog _accounts;
    private readonly TimeProvider _timeProvider;
    private readonly UpstreamResilience _resilience;

    internal SumsubClient(IHttpClientFactory httpClientFactory, SumsubAccountCatalog accounts, TimeProvider timeProvider, UpstreamResilience resilience)
    {
        _httpClientFactory = httpClientFactory;
        _accounts = accounts;
        _timeProvider = timeProvider;
        _resilience = resilience;
    }

    public const string HttpClientName = "Sumsub";
    internal const string ShareTokenPath = "/resources/accessTokens/shareToken";
    internal const string ImportPath = "/resources/applicants/-/import";
    internal const string ByExternalUserIdPathFormat = "/resources/applicants/-;externalUserId={0}/one";

    public async Task<Result<IssuedShareToken>> GenerateShareTokenAsync(AccountName account, ApplicantId applicantId, ClientId forClientId, ShareTokenTtl ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(applicantId);
        ArgumentNullException.ThrowIfNull(forClientId);
        ArgumentNullException.ThrowIfNull(ttl);
        var body = JsonSerializer.SerializeToUtf8Bytes(new ShareTokenRequest(applicantId.Value, forClientId.Value, ttl.Seconds), SumsubJson.Options);
        var response = (await SendAsync(account, HttpMethod.Post, ShareTokenPath, body, RetryMode.SafeToRepeat, cancellationToken).ConfigureAwait(false)).ToResult();
        if (!response.IsSuccess)
        {
            return response.Error;
        }
        return response.Value.IsSuccess
            ? SumsubResponses.ParseShareToken(response.Value, forClientId)
            : SumsubErrorMapper.Map(response.Value, importingShareToken: false);
    }

    public async Task<Result<ImportedApplicant>> ImportApplicantAsync(AccountName account, ApplicantImport import, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(import);
        var attempt = await SendAsync(account, HttpMethod.Post, ImportPathAndQuery(import), body: null, RetryMode.UnsentOnly, cancellationToken).ConfigureAwait(false);
        if (attempt.Failure == AttemptFailure.NoAnswer || MayHaveImported(attempt.HttpStatus))
        {
            return ImportOutcomeUnknown();
        }
        var response = attempt.ToResult();
        if (!response.IsSuccess)
        {
            // A 2xx whose body could not be read (too large) still means Sumsub imported.
            return attempt.HttpStatus is >= 200 and < 300 ? ImportOutcomeUnknown() : response.Error;
        }
        if (!response.Value.IsSuccess)
        {
            return SumsubErrorMapper.Map(response.Value, importingShareToken: true);
        }
        var applicant = SumsubResponses.ParseApplicant(response.Value);
        // A 2xx without a usable applicant: the import happened, only its answer is unreadable.
        return applicant.IsSuccess ? applicant : ImportOutcomeUnknown();
    }

    /// <summary>
    /// A gateway's 502 or 504: the gateway gave up on Sumsub, which may still have imported. (A
    /// 503 or 429 is a refusal before any work, and other answers are Sumsub's own verdict.)
    /// </summary>
    private static bool MayHaveImported(int? httpStatus) => httpStatus is 502 or 504;

    public async Task<Result<ImportedApplicant>> FindApplicantByExternalUserIdAsync(AccountName account, ExternalUserId externalUserId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(externalUserId);
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, ByExternalUserIdPathFormat, Uri.EscapeDataString(externalUserId.Value));
        var response = (await SendAsync(account, HttpMethod.Get, path, body: null, RetryMode.SafeToRepeat, cancellationToken).ConfigureAwait(false)).ToResult();
        if (!response.IsSuccess)
        {
            return response.Error;
        }
        return response.Value.IsSuccess
            ? SumsubResponses.ParseApplicant(response.Value)
            : SumsubErrorMapper.Map(response.Value, importingShareToken: false);
    }

    private static Error ImportOutcomeUnknown() =>
        new(ErrorKind.Unavailable, SumsubImportOutcome.UnknownReason,
            "Sumsub received the import but its answer was lost (timeout or dropped connection); the share token may have been used. The import's outcome is unknown.")
        {
            Upstream = new UpstreamFailure(SumsubErrorMapper.Upstream, null, null, null),
            MayHaveActed = true,
        };

    /// <summary>Query values are URL-encoded here, before signing; empty options are left out.</summary>
    internal static string ImportPathAndQuery(ApplicantImport import)
    {
        var query = new StringBuilder(ImportPath).Append("?shareToken=").Append(Uri.EscapeDataString(import.ShareToken.Value));
        if (import.ResetIdDocSetTypes.Count > 0)
        {
            query.Append("&resetIdDocSetTypes=").Append(Uri.EscapeDataString(string.Join(',', import.ResetIdDocSetTypes.Select(t => t.Value))));
        }
        if (import.UserId is not null)
        {
            query.Append("&userId=").Append(Uri.EscapeDataString(import.UserId.Value));
        }
        if (import.LevelName is not null)
        {
            query.Append("&levelName=").Append(Uri.EscapeDataString(import.LevelName.Value));
        }
        return query.ToString();
    }

    private Task<UpstreamAttempt> SendAsync(AccountName account, HttpMethod method, string pathAndQuery, byte[]? body, RetryMode retry, CancellationToken cancellationToken)
    {
        var settings = _accounts.Get(account);
        var uri = new Uri(settings.BaseUrl, settings.BaseUrl.AbsolutePath.TrimEnd('/') + pathAndQuery);
        var call = new UpstreamCall(SumsubErrorMapper.Upstream, settings.Name.Value, method, retry);
        var client = _httpClientFactory.CreateClient(HttpClientName);
        return _resilience.SendAsync(call, client, () => CreateSignedRequest(settings, method, uri, body), cancellationToken);
    }

    /// <summary>A new request per attempt, signed with the attempt's own timestamp.</summary>
    private HttpRequestMessage CreateSignedRequest(SumsubAccountSettings settings, HttpMethod method, Uri uri, byte[]? body)
    {
        var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        var timestamp = SumsubSigner.Timestamp(_timeProvider.GetUtcNow());
        // Sign the path and query exactly as they go on the wire (the URI's escaped form).
        var signature = SumsubSigner.Sign(settings.SecretKey, timestamp, method.Method, uri.PathAndQuery, body);
        request.Headers.TryAddWithoutValidation(SumsubSigner.TokenHeader, settings.AppToken);
        request.Headers.TryAddWithoutValidation(SumsubSigner.TimestampHeader, timestamp);
        request.Headers.TryAddWithoutValidation(SumsubSigner.SignatureHeader, signature);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    private sealed record ShareTokenRequest(string ApplicantId, string ForClientId, int? TtlInSecs);
}
