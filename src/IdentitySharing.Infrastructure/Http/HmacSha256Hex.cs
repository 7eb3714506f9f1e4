using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace IdentitySharing.Infrastructure.Http;

/// <summary>
/// What both upstreams' signatures are: lowercase hex HMAC-SHA256 over text fields joined by a
/// separator, optionally followed by the separator and the exact body bytes. The message is
/// assembled on the stack (or in a pooled buffer when large) and hashed with the static one-shot
/// <see cref="HMACSHA256.HashData(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>, which keeps
/// no state between calls and is safe from any number of threads.
/// </summary>
internal static class HmacSha256Hex
{
    /// <summary>Messages up to this size are assembled on the stack.</summary>
    private const int StackMessageBytes = 1024;

    /// <summary>HMAC keyed with the UTF-8 of <paramref name="secret"/> over <c>fields[0] SEP fields[1] … [SEP body]</c>; the body part only when <paramref name="withBody"/>.</summary>
    public static string Sign(string secret, ReadOnlySpan<string> fields, byte? separator, bool withBody, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var separatorLength = separator is null ? 0 : 1;
        var length = withBody ? separatorLength + body.Length : 0;
        foreach (var field in fields)
        {
            ArgumentNullException.ThrowIfNull(field);
            length += Encoding.UTF8.GetByteCount(field) + separatorLength;
        }
        byte[]? rented = null;
        var message = length <= StackMessageBytes ? stackalloc byte[StackMessageBytes] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = 0;
            for (var i = 0; i < fields.Length; i++)
            {
                if (i > 0 && separator is { } between)
                {
                    message[written++] = between;
                }
                written += Encoding.UTF8.GetBytes(fields[i], message[written..]);
            }
            if (withBody)
            {
                if (separator is { } beforeBody)
                {
                    message[written++] = beforeBody;
                }
                body.CopyTo(message[written..]);
                written += body.Length;
            }
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message[..written], mac);
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
