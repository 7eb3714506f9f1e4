using System.IO.Compression;
using Microsoft.Extensions.Primitives;

namespace IdentitySharing.GrpcServer.Internal;

/// <summary>A message compression algorithm named by <c>grpc-encoding</c>.</summary>
internal sealed class GrpcCompression
{
    public static readonly GrpcCompression Gzip = new("gzip", static (stream, mode) => new GZipStream(stream, mode, leaveOpen: true), static (stream, level) => new GZipStream(stream, level, leaveOpen: true));

    // gRPC's "deflate" is the zlib format (RFC 1950), as in grpc-dotnet.
    public static readonly GrpcCompression Deflate = new("deflate", static (stream, mode) => new ZLibStream(stream, mode, leaveOpen: true), static (stream, level) => new ZLibStream(stream, level, leaveOpen: true));

    public const string IdentityName = "identity";

    /// <summary>The value of the <c>grpc-accept-encoding</c> header every response carries.</summary>
    public static readonly StringValues AcceptEncodingValue = new("identity,gzip,deflate");

    private readonly Func<Stream, CompressionMode, Stream> _createDecompressor;
    private readonly Func<Stream, CompressionLevel, Stream> _createCompressor;

    private GrpcCompression(string name, Func<Stream, CompressionMode, Stream> createDecompressor, Func<Stream, CompressionLevel, Stream> createCompressor)
    {
        Name = name;
        _createDecompressor = createDecompressor;
        _createCompressor = createCompressor;
    }

    public string Name { get; }

    /// <summary>The algorithm for a name, or null when the name is unknown (identity is not an algorithm: callers handle it).</summary>
    public static GrpcCompression? Find(string name) => name switch
    {
        "gzip" => Gzip,
        "deflate" => Deflate,
        _ => null,
    };

    /// <summary>Whether <paramref name="algorithm"/> appears in a comma-separated <c>grpc-accept-encoding</c> value.</summary>
    public static bool IsAccepted(StringValues acceptEncoding, string algorithm)
    {
        foreach (var value in acceptEncoding)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var token in value.AsSpan().Split(','))
            {
                if (value.AsSpan()[token].Trim().Equals(algorithm, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    public byte[] Compress(ReadOnlySpan<byte> data, out int length)
    {
        var output = new MemoryStream(data.Length / 2 + 64);
        using (var compressor = _createCompressor(output, CompressionLevel.Fastest))
        {
            compressor.Write(data);
        }

        length = (int)output.Length;
        return output.GetBuffer();
    }

    /// <summary>Decompresses a whole message; throws RESOURCE_EXHAUSTED past <paramref name="maxSize"/> bytes, INTERNAL on corrupt data.</summary>
    public byte[] Decompress(byte[] compressed, int maxSize, out int length)
    {
        using var input = new MemoryStream(compressed, writable: false);
        using var decompressor = _createDecompressor(input, CompressionMode.Decompress);
        var output = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = decompressor.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (output.Length + read > maxSize)
                {
                    throw new RpcException(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size.");
                }

                output.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException)
        {
            throw new RpcException(StatusCode.Internal, $"Failed to decompress the request message with '{Name}'.");
        }

        length = (int)output.Length;
        return output.GetBuffer();
    }
}
