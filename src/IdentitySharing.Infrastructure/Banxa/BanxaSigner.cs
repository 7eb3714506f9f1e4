using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace IdentitySharing.Infrastructure.Banxa;

/// <summary>
/// Banxa's request signature: lowercase hex HMAC-SHA256 keyed with the API secret over
/// <c>METHOD\nPATH\nNONCE\nBODY</c> (no body line for GET), sent as
/// <c>Authorization: Bearer KEY:SIGNATURE:NONCE</c>.
/// </summary>
/// <remarks>
/// The key bytes are derived once (<see cref="Key"/>) and each request is signed with the static
/// one-shot <see cref="HMACSHA256.HashData(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>,
/// which keeps no state between calls and is safe from any number of threads.
/// </remarks>
public static class BanxaSigner
{
    /// <summary>Messages up to this size are assembled on the stack; larger ones in a pooled buffer.</summary>
    private const int StackMessageBytes = 1024;

    /// <summary>The HMAC key for the API secret: compute it once and keep it with the settings.</summary>
    public static byte[] Key(string apiSecret)
    {
        ArgumentNullException.ThrowIfNull(apiSecret);
        return Encoding.UTF8.GetBytes(apiSecret);
    }

    public static string Sign(string apiSecret, string method, string pathAndQuery, string nonce, ReadOnlySpan<byte> body) =>
        Sign(Key(apiSecret), method, pathAndQuery, nonce, body);

    /// <summary>Signs with a key from <see cref="Key"/>.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string method, string pathAndQuery, string nonce, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        ArgumentNullException.ThrowIfNull(nonce);
        var upperMethod = method.ToUpperInvariant();
        var withBody = upperMethod != "GET";
        var length = Encoding.UTF8.GetByteCount(upperMethod) + Encoding.UTF8.GetByteCount(pathAndQuery) + Encoding.UTF8.GetByteCount(nonce) + 2
            + (withBody ? 1 + body.Length : 0);
        byte[]? rented = null;
        var message = length <= StackMessageBytes ? stackalloc byte[StackMessageBytes] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(upperMethod, message);
            message[written++] = (byte)'\n';
            written += Encoding.UTF8.GetBytes(pathAndQuery, message[written..]);
            message[written++] = (byte)'\n';
            written += Encoding.UTF8.GetBytes(nonce, message[written..]);
            if (withBody)
            {
                message[written++] = (byte)'\n';
                body.CopyTo(message[written..]);
                written += body.Length;
            }
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

    public static string AuthorizationParameter(string apiKey, string signature, string nonce) => $"{apiKey}:{signature}:{nonce}";
}
