using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace IdentitySharing.GrpcServer.Internal;

/// <summary>Reads length-prefixed messages from the request pipe, parsing straight from the buffered sequence.</summary>
internal static class MessageReader
{
    /// <summary>The single request message of a unary or server-streaming call; anything else is INTERNAL.</summary>
    public static async ValueTask<T> ReadSingleAsync<T>(ServerCallContext call, MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        var reader = call.HttpContext.Request.BodyReader;
        var cancellationToken = call.ReadCancellationToken;
        T? message = default;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                if (message is null)
                {
                    if (TryReadMessage(call, parser, ref buffer, out message) && !buffer.IsEmpty)
                    {
                        throw new RpcException(StatusCode.Internal, "Additional data after the message received.");
                    }
                }
                else if (!buffer.IsEmpty)
                {
                    throw new RpcException(StatusCode.Internal, "Additional data after the message received.");
                }

                if (result.IsCompleted)
                {
                    if (message is null)
                    {
                        throw new RpcException(StatusCode.Internal, buffer.IsEmpty ? "Request message not received." : "Incomplete message.");
                    }

                    return message;
                }
            }
            finally
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }

    /// <summary>The next message of a client stream, or default once the client has half-closed.</summary>
    public static async ValueTask<T?> ReadNextAsync<T>(ServerCallContext call, MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        var reader = call.HttpContext.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                if (TryReadMessage(call, parser, ref buffer, out var message))
                {
                    return message;
                }

                if (result.IsCompleted)
                {
                    return buffer.IsEmpty ? default : throw new RpcException(StatusCode.Internal, "Incomplete message.");
                }
            }
            finally
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }

    /// <summary>
    /// Parses one frame from the front of <paramref name="buffer"/> and slices it off. The size
    /// limit is checked as soon as the prefix is there, before waiting for the body.
    /// </summary>
    private static bool TryReadMessage<T>(ServerCallContext call, MessageParser<T> parser, ref ReadOnlySequence<byte> buffer, out T? message)
        where T : class, IMessage<T>
    {
        message = default;
        if (buffer.Length < GrpcProtocol.FrameHeaderSize)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[GrpcProtocol.FrameHeaderSize];
        buffer.Slice(0, GrpcProtocol.FrameHeaderSize).CopyTo(prefix);
        var compressed = prefix[0] switch
        {
            0 => false,
            1 => true,
            _ => throw new RpcException(StatusCode.Internal, "Invalid compressed flag in message prefix."),
        };

        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix[1..]);
        if (length > (uint)call.MaxReceiveMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size.");
        }

        if (buffer.Length < GrpcProtocol.FrameHeaderSize + length)
        {
            return false;
        }

        var payload = buffer.Slice(GrpcProtocol.FrameHeaderSize, length);
        message = compressed ? ParseCompressed(call, parser, payload) : Parse(parser, payload);
        call.RequestMessageCompressed = compressed;
        buffer = buffer.Slice(payload.End);
        return true;
    }

    private static T ParseCompressed<T>(ServerCallContext call, MessageParser<T> parser, ReadOnlySequence<byte> payload)
        where T : class, IMessage<T>
    {
        var compression = call.RequestCompression
            ?? throw new RpcException(StatusCode.Internal, "Request did not include grpc-encoding value with compressed message.");
        var decompressed = compression.Decompress(payload.ToArray(), call.MaxReceiveMessageSize, out var length);
        return Parse(parser, new ReadOnlySequence<byte>(decompressed, 0, length));
    }

    private static T Parse<T>(MessageParser<T> parser, ReadOnlySequence<byte> payload)
        where T : class, IMessage<T>
    {
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException)
        {
            throw new RpcException(StatusCode.Internal, "Failed to deserialize request message.");
        }
    }
}
