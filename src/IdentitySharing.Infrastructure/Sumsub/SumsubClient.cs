using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using IdentitySharing.Infrastructure.Configuration;
using IdentitySharing.Infrastructure.Http;

namespace IdentitySharing.Infrastructure.Sumsub;

/// <summary>
/// Sumsub's REST API for the configured accounts: builds each request once, signs exactly the
/// bytes it sends and maps the answer. The caller's token bounds each call; when it fires the
/// <see cref="OperationCanceledException"/> propagates (the host maps it to DEADLINE_EXCEEDED).
/// </summary>
public sealed class SumsubClient(IHttpClientFactory httpClientFactory, SumsubAccountCatalog accounts, TimeProvider timeProvider) : ISumsubClient
{
    public const string HttpClientName = "Sumsub";
    internal const string ShareTokenPath = "/resources/accessTokens/shareToken";
    internal const string ImportPath = "/resources/applicants/-/import";

    public async Task<Result<IssuedShareToken>> GenerateShareTokenAsync(AccountName account, ApplicantId applicantId, ClientId forClientId, ShareTokenTtl ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(applicantId);
        ArgumentNullException.ThrowIfNull(forClientId);
        ArgumentNullException.ThrowIfNull(ttl);
        var body = JsonSerializer.SerializeToUtf8Bytes(new ShareTokenRequest(applicantId.Value, forClientId.Value, ttl.Seconds), SumsubJson.Options);
        var response = await SendAsync(account, HttpMethod.Post, ShareTokenPath, body, cancellationToken).ConfigureAwait(false);
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
        var response = await SendAsync(account, HttpMethod.Post, ImportPathAndQuery(import), body: null, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return response.Error;
        }
        return response.Value.IsSuccess
            ? SumsubResponses.ParseApplicant(response.Value)
            : SumsubErrorMapper.Map(response.Value, importingShareToken: true);
    }

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

    private async Task<Result<UpstreamResponse>> SendAsync(AccountName account, HttpMethod method, string pathAndQuery, byte[]? body, CancellationToken cancellationToken)
    {
        var settings = accounts.Get(account);
        var uri = new Uri(settings.BaseUrl, settings.BaseUrl.AbsolutePath.TrimEnd('/') + pathAndQuery);
        using var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        var timestamp = SumsubSigner.Timestamp(timeProvider.GetUtcNow());
        // Sign the path and query exactly as they go on the wire (the URI's escaped form).
        var signature = SumsubSigner.Sign(settings.SecretKey, timestamp, method.Method, uri.PathAndQuery, body);
        request.Headers.TryAddWithoutValidation(SumsubSigner.TokenHeader, settings.AppToken);
        request.Headers.TryAddWithoutValidation(SumsubSigner.TimestampHeader, timestamp);
        request.Headers.TryAddWithoutValidation(SumsubSigner.SignatureHeader, signature);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        var client = httpClientFactory.CreateClient(HttpClientName);
        return await UpstreamHttp.SendAsync(client, request, SumsubErrorMapper.Upstream, cancellationToken).ConfigureAwait(false);
    }

    private sealed record ShareTokenRequest(string ApplicantId, string ForClientId, int? TtlInSecs);
}
