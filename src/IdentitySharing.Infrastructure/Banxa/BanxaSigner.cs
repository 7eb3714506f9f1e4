using IdentitySharing.Infrastructure.Http;

namespace IdentitySharing.Infrastructure.Banxa;

/// <summary>
/// Banxa's request signature: lowercase hex HMAC-SHA256 keyed with the API secret over
/// <c>METHOD\nPATH\nNONCE\nBODY</c> (no body line for GET), sent as
/// <c>Authorization: Bearer KEY:SIGNATURE:NONCE</c>.
/// </summary>
/// <remarks>The key bytes are derived once (<see cref="Key"/>); signing is thread-safe (<see cref="HmacSha256Hex"/>).</remarks>
public static class BanxaSigner
{
    /// <summary>The HMAC key for the API secret: compute it once and keep it with the settings.</summary>
    public static byte[] Key(string apiSecret) => HmacSha256Hex.Key(apiSecret);

    public static string Sign(string apiSecret, string method, string pathAndQuery, string nonce, ReadOnlySpan<byte> body) =>
        Sign(Key(apiSecret), method, pathAndQuery, nonce, body);

    /// <summary>Signs with a key from <see cref="Key"/>.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string method, string pathAndQuery, string nonce, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(method);
        var upperMethod = method.ToUpperInvariant();
        return HmacSha256Hex.Sign(key, [upperMethod, pathAndQuery, nonce], (byte)'\n', withBody: upperMethod != "GET", body);
    }

    public static string AuthorizationParameter(string apiKey, string signature, string nonce) => $"{apiKey}:{signature}:{nonce}";
}
