using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IdentitySharing.Testing.Upstreams;

/// <summary>
/// The fakes' own implementation of the vendors' signature algorithms (upstreams.md), kept
/// apart from the production signers so that a shared bug cannot make both sides agree.
/// </summary>
public static class VendorSignatures
{
    /// <summary>Sumsub: hex(HMAC-SHA256(secret, ts + METHOD + target + body)).</summary>
    public static string Sumsub(string secret, string timestamp, string method, string target, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var message = Encoding.UTF8.GetBytes(string.Concat(timestamp, method, target)).Concat(body).ToArray();
        return Hex(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    /// <summary>Banxa: hex(HMAC-SHA256(secret, "METHOD\nPATH\nNONCE\nBODY")); GET signs "METHOD\nPATH_WITH_QUERY\nNONCE".</summary>
    public static string Banxa(string secret, string method, string path, string nonce, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var lines = string.Join('\n', method, path, nonce);
        var message = method == "GET"
            ? Encoding.UTF8.GetBytes(lines)
            : Encoding.UTF8.GetBytes(lines + "\n").Concat(body).ToArray();
        return Hex(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    public static string RandomSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    private static string Hex(byte[] hash) => string.Concat(hash.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
}
