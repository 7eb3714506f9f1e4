using System.Net.Http.Headers;
using System.Text.Json;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using IdentitySharing.Infrastructure.Configuration;
using IdentitySharing.Infrastructure.Http;

namespace IdentitySharing.Infrastructure.Banxa;

/// <summary>
/// Banxa's identity share: compact JSON serialised once, signed over exactly those bytes,
/// sent with a strictly increasing nonce. The caller's token bounds the call; when it fires the
/// <see cref="OperationCanceledException"/> propagates (the host maps it to DEADLINE_EXCEEDED).
/// </summary>
public sealed class BanxaClient(IHttpClientFactory httpClientFactory, BanxaSettings settings, BanxaNonceSource nonces) : IBanxaClient
{
    public const string HttpClientName = "Banxa";
    internal const string SharePath = "/eapi/v0/identities/token/share";

    public async Task<Result<IdentityReference>> ShareIdentityAsync(BanxaIdentityShare share, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(share);
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new ShareRequest(share.IdentityReference.Value, share.Email.Value, share.MobileNumber.Value, new Provider("sumsub", share.SumsubShareToken.Value)),
            BanxaJson.Options);
        var uri = new Uri(settings.BaseUrl, settings.BaseUrl.AbsolutePath.TrimEnd('/') + SharePath);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var nonce = nonces.NextText();
        var signature = BanxaSigner.Sign(settings.ApiSecret, "POST", uri.AbsolutePath, nonce, body);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BanxaSigner.AuthorizationParameter(settings.ApiKey, signature, nonce));

        var response = await UpstreamHttp.SendAsync(httpClientFactory.CreateClient(HttpClientName), request, BanxaErrorMapper.Upstream, cancellationToken).ConfigureAwait(false);
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

    private sealed record ShareRequest(string IdentityReference, string Email, string MobileNumber, Provider Provider);

    private sealed record Provider(string Vendor, string Token);
}
