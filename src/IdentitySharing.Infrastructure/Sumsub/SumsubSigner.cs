using System.Globalization;
using IdentitySharing.Infrastructure.Http;

namespace IdentitySharing.Infrastructure.Sumsub;

/// <summary>
/// Sumsub's request signature: lowercase hex HMAC-SHA256 keyed with the account's secret over
/// <c>ts + METHOD + pathAndQuery + body</c>, where body is the exact bytes sent.
/// </summary>
public static class SumsubSigner
{
    public const string TokenHeader = "X-App-Token";
    public const string TimestampHeader = "X-App-Access-Ts";
    public const string SignatureHeader = "X-App-Access-Sig";

    public static string Timestamp(DateTimeOffset now) => now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public static string Sign(string secretKey, string timestamp, string method, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(method);
        return HmacSha256Hex.Sign(secretKey, [timestamp, method.ToUpperInvariant(), pathAndQuery], separator: null, withBody: true, body);
    }
}
