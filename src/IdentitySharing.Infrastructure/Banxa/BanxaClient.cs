using System.Net.Http.Headers;
using System.Text.Json;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using IdentitySharing.Infrastructure.Configuration;
using IdentitySharing.Infrastructure.Http;
using IdentitySharing.Infrastructure.Resilience;

namespace IdentitySharing.Infrastructure.Banxa;

/// <summary>
/// Banxa's identity share: compact JSON serialised once, signed over exactly those bytes,
/// sent with a strictly increasing nonce. The caller's token bounds the call; when it fires the
/// <see cref="OperationCanceledException"/> propagates (the host maps it to DEADLINE_EXCEEDED).
/// The share is not documented as idempotent, so it is repeated only when nothing was sent.
/// </summary>
public sealed class BanxaClient : IBanxaClient
{
    public const string HttpClientName = "Banxa";
    /// <summary>Banxa has one set of credentials: one circuit breaker.</summary>
    private const string BreakerAccount = "default";

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly BanxaSettings _settings;
    private readonly BanxaNonceSource _nonces;
    private readonly UpstreamResilience _resilience;

    internal BanxaClient(IHttpClientFactory httpClientFactory, BanxaSettings settings, BanxaNonceSource nonces, UpstreamResilience resilience)
    {
        _httpClientFactory = httpClientFactory;
        _settings = settings;
        _nonces = nonces;
        _resilience = resilience;
    }

    internal const string SharePath = "/eapi/v0/identities/token/share";

    public async Task<Result<IdentityReference>> ShareIdentityAsync(BanxaIdentityShare share, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(share);
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new ShareRequest(share.IdentityReference.Value, share.Email.Value, share.MobileNumber.Value, new Provider("sumsub", share.SumsubShareToken.Value)),
            BanxaJson.Options);
        var uri = new Uri(_settings.BaseUrl, _settings.BaseUrl.AbsolutePath.TrimEnd('/') + SharePath);
        var call = new UpstreamCall(BanxaErrorMapper.Upstream, BreakerAccount, HttpMethod.Post, RetryMode.UnsentOnly);
        var attempt = await _resilience.SendAsync(call, _httpClientFactory.CreateClient(HttpClientName), () => CreateSignedRequest(uri, body), cancellationToken).ConfigureAwait(false);
        var response = attempt.ToResult();
        if (!response.IsSuccess)
        {
            return response.Error;
        }
        if (response.Value.IsSuccess)
        {
            // Banxa echoes the reference; an empty or odd body still means accepted.
            var echoed = JsonFields.ParseObject(response.Value.Body).String("identityReference");
            return IdentityReference.TryCreate(echoed, out var reference, out _) ? reference : share.IdentityReference;
        }
        return BanxaErrorMapper.Map(response.Value, share);
    }

    /// <summary>A new request per attempt, each with its own (strictly increasing) nonce.</summary>
    private HttpRequestMessage CreateSignedRequest(Uri uri, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var nonce = _nonces.NextText();
        var signature = BanxaSigner.Sign(_settings.ApiSecret, "POST", uri.AbsolutePath, nonce, body);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BanxaSigner.AuthorizationParameter(_settings.ApiKey, signature, nonce));
        return request;
    }

    private sealed record ShareRequest(string IdentityReference, string Email, string MobileNumber, Provider Provider);

    private sealed record Provider(string Vendor, string Token);
}
