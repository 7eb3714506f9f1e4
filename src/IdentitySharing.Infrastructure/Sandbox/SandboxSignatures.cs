using System.Security.Cryptography;
using System.Text;

namespace IdentitySharing.Infrastructure.Sandbox;

/// <summary>
/// The vendors' signature algorithms, written independently of the adapters' signers so that a
/// bug in one is not mirrored by the other.
/// </summary>
internal static class SandboxSignatures
{
    /// <summary>Sumsub: HMAC-SHA256(secret, ts || METHOD || target || body) as lowercase hex.</summary>
    public static bool SumsubSignatureMatches(string secret, string timestamp, string method, string rawTarget, byte[] body, string presented)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + method + rawTarget);
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message, prefix.Length);
        return HexEquals(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message), presented);
    }

    /// <summary>Banxa: HMAC-SHA256(secret, "METHOD\nPATH\nNONCE\nBODY") as lowercase hex; GET has no body line.</summary>
    public static bool BanxaSignatureMatches(string secret, string method, string rawTarget, string nonce, byte[] body, string presented)
    {
        var lines = method == "GET" ? $"{method}\n{rawTarget}\n{nonce}" : $"{method}\n{rawTarget}\n{nonce}\n";
        var prefix = Encoding.UTF8.GetBytes(lines);
        var message = method == "GET" ? prefix : [.. prefix, .. body];
        return HexEquals(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message), presented);
    }

    private static bool HexEquals(byte[] expected, string presented)
    {
        var expectedHex = Encoding.ASCII.GetBytes(Convert.ToHexString(expected).ToLowerInvariant());
        var presentedBytes = Encoding.ASCII.GetBytes(presented);
        return CryptographicOperations.FixedTimeEquals(expectedHex, presentedBytes);
    }

    public static string RandomSecret(int bytes) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
