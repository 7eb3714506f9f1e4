using System.Buffers.Binary;
using System.IO.Compression;
using Google.Protobuf;

namespace IdentitySharing.GrpcServer.Tests.Support;

/// <summary>One length-prefixed gRPC message as it travels.</summary>
public sealed record GrpcFrame(bool Compressed, byte[] Payload);

/// <summary>Builds and parses gRPC message frames by hand, so tests control every byte.</summary>
public static class GrpcFrames
{
    public static byte[] Frame(IMessage message) => Frame(message.ToByteArray());

    public static byte[] Frame(ReadOnlySpan<byte> payload, bool compressed = false) =>
        Prefix(compressed, (uint)payload.Length).Concat(payload.ToArray()).ToArray();

    public static byte[] Prefix(bool compressed, uint declaredLength)
    {
        var prefix = new byte[5];
        prefix[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(prefix.AsSpan(1), declaredLength);
        return prefix;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    public static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Splits a whole response body into frames; throws if it is not a clean sequence of frames.</summary>
    public static List<GrpcFrame> Parse(byte[] body)
    {
        var frames = new List<GrpcFrame>();
        var offset = 0;
        while (offset < body.Length)
        {
            if (body.Length - offset < 5)
            {
                throw new FormatException("Truncated frame prefix in response body.");
            }

            var flag = body[offset];
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1));
            if (flag > 1 || length > body.Length - offset - 5)
            {
                throw new FormatException("Malformed frame in response body.");
            }

            frames.Add(new GrpcFrame(flag == 1, body.AsSpan(offset + 5, length).ToArray()));
            offset += 5 + length;
        }

        return frames;
    }

    /// <summary>Reads one frame from a response stream; null at a clean end of stream.</summary>
    public static async Task<GrpcFrame?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var prefix = new byte[5];
        var read = await stream.ReadAtLeastAsync(prefix, 5, throwOnEndOfStream: false, cancellationToken);
        if (read == 0)
        {
            return null;
        }

        if (read < 5)
        {
            throw new FormatException("Truncated frame prefix in response stream.");
        }

        var payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(prefix.AsSpan(1))];
        await stream.ReadExactlyAsync(payload, cancellationToken);
        return new GrpcFrame(prefix[0] == 1, payload);
    }
}
