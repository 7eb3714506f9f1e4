using IdentitySharing.Infrastructure.Http;

namespace IdentitySharing.Infrastructure.Banxa;

/// <summary>
/// Banxa's request signature: lowercase hex HMAC-SHA256 keyed with the API secret over
/// <c>METHOD\nPATH\nNONCE\nBODY</c> (no body line for GET), sent as
/// <c>Authorization: Bearer KEY:SIGNATURE:NONCE</c>.
/// </summary>
public static class BanxaSigner
{
    public static string Sign(string apiSecret, string method, string pathAndQuery, string nonce, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(method);
        var upperMethod = method.ToUpperInvariant();
        return HmacSha256Hex.Sign(apiSecret, [upperMethod, pathAndQuery, nonce], (byte)'\n', withBody: upperMethod != "GET", body);
    }

    public static string AuthorizationParameter(string apiKey, string signature, string nonce) => $"{apiKey}:{signature}:{nonce}";
}
