using System.Globalization;
using IdentitySharing.Infrastructure.Http;

namespace IdentitySharing.Infrastructure.Sumsub;

/// <summary>
/// Sumsub's request signature: lowercase hex HMAC-SHA256 keyed with the account's secret over
/// <c>ts + METHOD + pathAndQuery + body</c>, where body is the exact bytes sent.
/// </summary>
/// <remarks>The key bytes are derived once per account (<see cref="Key"/>); signing is thread-safe (<see cref="HmacSha256Hex"/>).</remarks>
public static class SumsubSigner
{
    public const string TokenHeader = "X-App-Token";
    public const string TimestampHeader = "X-App-Access-Ts";
    public const string SignatureHeader = "X-App-Access-Sig";

    public static string Timestamp(DateTimeOffset now) => now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>The HMAC key for an account's secret: compute it once and keep it with the account.</summary>
    public static byte[] Key(string secretKey) => HmacSha256Hex.Key(secretKey);

    public static string Sign(string secretKey, string timestamp, string method, string pathAndQuery, ReadOnlySpan<byte> body) =>
        Sign(Key(secretKey), timestamp, method, pathAndQuery, body);

    /// <summary>Signs with a key from <see cref="Key"/>.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string timestamp, string method, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(method);
        return HmacSha256Hex.Sign(key, [timestamp, method.ToUpperInvariant(), pathAndQuery], separator: null, withBody: true, body);
    }
}
