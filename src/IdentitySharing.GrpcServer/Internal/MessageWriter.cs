using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace IdentitySharing.GrpcServer.Internal;

/// <summary>Writes length-prefixed messages straight into the response pipe.</summary>
internal static class MessageWriter
{
    public static void Write<T>(PipeWriter writer, T message, GrpcCompression? compression, int? maxSendMessageSize)
        where T : IMessage<T>
    {
        var size = message.CalculateSize();
        if (size > maxSendMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, "Sending message exceeds the maximum configured message size.");
        }

        if (compression is null)
        {
            WritePrefix(writer, compressed: false, size);
            message.WriteTo(writer);
            return;
        }

        // Compression needs the whole message first: serialize into a rented buffer.
        var serialized = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            message.WriteTo(serialized.AsSpan(0, size));
            var compressed = compression.Compress(serialized.AsSpan(0, size), out var length);
            WritePrefix(writer, compressed: true, length);
            writer.Write(compressed.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(serialized);
        }
    }

    private static void WritePrefix(PipeWriter writer, bool compressed, int length)
    {
        var prefix = writer.GetSpan(GrpcProtocol.FrameHeaderSize);
        prefix[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(prefix[1..], (uint)length);
        writer.Advance(GrpcProtocol.FrameHeaderSize);
    }
}
