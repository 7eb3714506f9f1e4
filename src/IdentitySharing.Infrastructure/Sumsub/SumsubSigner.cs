using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IdentitySharing.Infrastructure.Sumsub;

/// <summary>
/// Sumsub's request signature: lowercase hex HMAC-SHA256 keyed with the account's secret over
/// <c>ts + METHOD + pathAndQuery + body</c>, where body is the exact bytes sent.
/// </summary>
/// <remarks>
/// The key bytes are derived once per account (<see cref="Key"/>) and each request is signed
/// with the static one-shot <see cref="HMACSHA256.HashData(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>,
/// which keeps no state between calls and is safe from any number of threads.
/// </remarks>
public static class SumsubSigner
{
    public const string TokenHeader = "X-App-Token";
    public const string TimestampHeader = "X-App-Access-Ts";
    public const string SignatureHeader = "X-App-Access-Sig";

    /// <summary>Messages up to this size are assembled on the stack; larger ones in a pooled buffer.</summary>
    private const int StackMessageBytes = 512;

    public static string Timestamp(DateTimeOffset now) => now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>The HMAC key for an account's secret: compute it once and keep it with the account.</summary>
    public static byte[] Key(string secretKey)
    {
        ArgumentNullException.ThrowIfNull(secretKey);
        return Encoding.UTF8.GetBytes(secretKey);
    }

    public static string Sign(string secretKey, string timestamp, string method, string pathAndQuery, ReadOnlySpan<byte> body) =>
        Sign(Key(secretKey), timestamp, method, pathAndQuery, body);

    /// <summary>Signs with a key from <see cref="Key"/>.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string timestamp, string method, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(timestamp);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        var upperMethod = method.ToUpperInvariant();
        var length = Encoding.UTF8.GetByteCount(timestamp) + Encoding.UTF8.GetByteCount(upperMethod) + Encoding.UTF8.GetByteCount(pathAndQuery) + body.Length;
        byte[]? rented = null;
        var message = length <= StackMessageBytes ? stackalloc byte[StackMessageBytes] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(timestamp, message);
            written += Encoding.UTF8.GetBytes(upperMethod, message[written..]);
            written += Encoding.UTF8.GetBytes(pathAndQuery, message[written..]);
            body.CopyTo(message[written..]);
            written += body.Length;
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(key, message[..written], mac);
            return Convert.ToHexStringLower(mac);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
