using System.Security.Cryptography;
using System.Text;

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
        ArgumentNullException.ThrowIfNull(apiSecret);
        ArgumentNullException.ThrowIfNull(method);
        var upperMethod = method.ToUpperInvariant();
        var head = $"{upperMethod}\n{pathAndQuery}\n{nonce}";
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(apiSecret));
        hmac.AppendData(Encoding.UTF8.GetBytes(head));
        if (upperMethod != "GET")
        {
            hmac.AppendData("\n"u8);
            hmac.AppendData(body);
        }
        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    public static string AuthorizationParameter(string apiKey, string signature, string nonce) => $"{apiKey}:{signature}:{nonce}";
}
