using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace IdentitySharing.GrpcServer.Tests.Support;

public enum Http2FrameType : byte
{
    Data = 0x0,
    Headers = 0x1,
    Priority = 0x2,
    RstStream = 0x3,
    Settings = 0x4,
    PushPromise = 0x5,
    Ping = 0x6,
    GoAway = 0x7,
    WindowUpdate = 0x8,
    Continuation = 0x9,
}

/// <summary>
/// One frame as the server sent it. A header block (HEADERS plus any CONTINUATION) comes as one
/// HEADERS frame with its fields decoded.
/// </summary>
public sealed record Http2Frame(Http2FrameType Type, byte Flags, int StreamId, byte[] Payload, IReadOnlyList<KeyValuePair<string, string>> Fields)
{
    public const byte EndStreamFlag = 0x1;
    public const byte AckFlag = 0x1;
    public const byte EndHeadersFlag = 0x4;
    public const byte PaddedFlag = 0x8;
    public const byte PriorityFlag = 0x20;

    public bool EndStream => Type is Http2FrameType.Data or Http2FrameType.Headers && (Flags & EndStreamFlag) != 0;

    /// <summary>The error code of a RST_STREAM or GOAWAY frame (0 is NO_ERROR).</summary>
    public uint ErrorCode => Type switch
    {
        Http2FrameType.RstStream => BinaryPrimitives.ReadUInt32BigEndian(Payload),
        Http2FrameType.GoAway => BinaryPrimitives.ReadUInt32BigEndian(Payload.AsSpan(4)),
        _ => throw new InvalidOperationException($"A {Type} frame has no error code."),
    };

    /// <summary>The last stream the server processed or may still process, from a GOAWAY frame.</summary>
    public int LastStreamId => Type == Http2FrameType.GoAway
        ? (int)(BinaryPrimitives.ReadUInt32BigEndian(Payload) & 0x7FFF_FFFF)
        : throw new InvalidOperationException($"A {Type} frame has no last stream id.");

    /// <summary>The first value of a header field of this HEADERS frame, or null.</summary>
    public string? Field(string name) => Fields.FirstOrDefault(field => field.Key == name).Value;

    public override string ToString() =>
        $"{Type} stream {StreamId} flags 0x{Flags:x2}" + (Fields.Count > 0 ? $" [{string.Join(", ", Fields.Select(f => $"{f.Key}: {f.Value}"))}]" : string.Empty);
}

/// <summary>
/// A bare HTTP/2 client over TCP (h2c, prior knowledge) that hands the test every frame the server
/// sends, in wire order. For what HttpClient hides or reorders: whether trailers, RST_STREAM, GOAWAY
/// and the connection close arrive, and in which order. It acknowledges SETTINGS and PING, and
/// returns flow-control credit for every DATA frame, so the server is never stalled by it; it sends
/// small requests only and ignores the server's flow-control window.
/// </summary>
public sealed class RawHttp2Connection : IAsyncDisposable
{
    // Generous: the machine running the tests may be loaded. Only guards against a hang.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private const int FrameHeaderSize = 9;
    private const int MaxFrameSize = 16_384;
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly string _authority;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly HpackDecoder _decoder = new();

    private RawHttp2Connection(TcpClient tcp, string authority)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _authority = authority;
    }

    /// <summary>Connects and sends the connection preface with an empty SETTINGS frame.</summary>
    public static async Task<RawHttp2Connection> ConnectAsync(Uri address, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(address.Host, address.Port, cancellationToken);
            var connection = new RawHttp2Connection(tcp, $"{address.Host}:{address.Port}");
            await connection.WriteAsync(Preface, cancellationToken);
            await connection.WriteFrameAsync(Http2FrameType.Settings, 0, 0, ReadOnlyMemory<byte>.Empty, cancellationToken);
            return connection;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Opens a gRPC call: HEADERS for a POST to <paramref name="path"/>, END_STREAM only if asked.</summary>
    public Task SendGrpcHeadersAsync(int streamId, string path, IEnumerable<KeyValuePair<string, string>>? metadata, bool endStream, CancellationToken cancellationToken)
    {
        List<KeyValuePair<string, string>> fields =
        [
            new(":method", "POST"),
            new(":scheme", "http"),
            new(":authority", _authority),
            new(":path", path),
            new("content-type", "application/grpc"),
            new("te", "trailers"),
            .. metadata ?? [],
        ];
        var block = HpackEncoder.Encode(fields);
        if (block.Length > MaxFrameSize)
        {
            throw new ArgumentException("The header block does not fit one frame; this client sends no CONTINUATION.", nameof(metadata));
        }

        var flags = (byte)(Http2Frame.EndHeadersFlag | (endStream ? Http2Frame.EndStreamFlag : 0));
        return WriteFrameAsync(Http2FrameType.Headers, flags, streamId, block, cancellationToken);
    }

    /// <summary>Sends <paramref name="data"/> as DATA frames; the last carries END_STREAM if asked.</summary>
    public async Task SendDataAsync(int streamId, ReadOnlyMemory<byte> data, bool endStream, CancellationToken cancellationToken)
    {
        do
        {
            var chunk = data[..Math.Min(data.Length, MaxFrameSize)];
            data = data[chunk.Length..];
            var flags = endStream && data.IsEmpty ? Http2Frame.EndStreamFlag : (byte)0;
            await WriteFrameAsync(Http2FrameType.Data, flags, streamId, chunk, cancellationToken);
        }
        while (!data.IsEmpty);
    }

    /// <summary>The next frame from the server, or null once it has closed the connection.</summary>
    public Task<Http2Frame?> ReadFrameAsync(CancellationToken cancellationToken) =>
        ReadFrameCoreAsync(cancellationToken).WaitAsync(Patience, cancellationToken);

    /// <summary>Reads frames until one gRPC message has arrived whole on <paramref name="streamId"/>; fails if the stream ends first.</summary>
    public async Task<GrpcFrame> ReadGrpcMessageAsync(int streamId, CancellationToken cancellationToken)
    {
        var body = new List<byte>();
        while (true)
        {
            var frame = await ReadFrameAsync(cancellationToken)
                ?? throw new InvalidOperationException("The server closed the connection before a whole message arrived.");
            if (frame.StreamId != streamId)
            {
                continue;
            }

            if (frame.Type == Http2FrameType.Data)
            {
                body.AddRange(frame.Payload);
                if (body.Count >= 5 && body.Count >= 5 + BinaryPrimitives.ReadUInt32BigEndian(body.ToArray().AsSpan(1, 4)))
                {
                    return GrpcFrames.Parse([.. body]).Single();
                }
            }

            if (frame.EndStream || frame.Type == Http2FrameType.RstStream)
            {
                throw new InvalidOperationException($"Stream {streamId} ended before a whole message arrived: {frame}.");
            }
        }
    }

    /// <summary>
    /// Reads frames until <paramref name="done"/> holds for those read by this call, and returns them
    /// in order; fails if the server closes the connection first.
    /// </summary>
    public async Task<IReadOnlyList<Http2Frame>> ReadUntilAsync(Func<IReadOnlyList<Http2Frame>, bool> done, CancellationToken cancellationToken)
    {
        var frames = new List<Http2Frame>();
        while (!done(frames))
        {
            frames.Add(await ReadFrameAsync(cancellationToken)
                ?? throw new InvalidOperationException($"The server closed the connection after: {string.Join(" | ", frames)}."));
        }

        return frames;
    }

    /// <summary>Closes the connection (TCP) without a GOAWAY, as clients may.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
        _writeLock.Dispose();
    }

    private async Task<Http2Frame?> ReadFrameCoreAsync(CancellationToken cancellationToken)
    {
        var header = new byte[FrameHeaderSize];
        var read = await _stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        if (read == 0)
        {
            return null;
        }

        if (read < header.Length)
        {
            throw new EndOfStreamException("The connection closed inside a frame header.");
        }

        var length = (header[0] << 16) | (header[1] << 8) | header[2];
        var type = (Http2FrameType)header[3];
        var flags = header[4];
        var streamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5)) & 0x7FFF_FFFF);
        var payload = new byte[length];
        await _stream.ReadExactlyAsync(payload, cancellationToken);

        switch (type)
        {
            case Http2FrameType.Settings when (flags & Http2Frame.AckFlag) == 0:
                await WriteFrameAsync(Http2FrameType.Settings, Http2Frame.AckFlag, 0, ReadOnlyMemory<byte>.Empty, cancellationToken);
                break;
            case Http2FrameType.Ping when (flags & Http2Frame.AckFlag) == 0:
                await WriteFrameAsync(Http2FrameType.Ping, Http2Frame.AckFlag, 0, payload, cancellationToken);
                break;
            case Http2FrameType.Data when length > 0:
                await ReturnCreditAsync(streamId, length, cancellationToken);
                payload = Unpad(payload, flags);
                break;
            case Http2FrameType.Headers:
                return await ReadHeaderBlockAsync(streamId, flags, payload, cancellationToken);
            case Http2FrameType.Continuation:
                throw new InvalidDataException("CONTINUATION outside a header block.");
        }

        return new Http2Frame(type, flags, streamId, payload, []);
    }

    private async Task<Http2Frame> ReadHeaderBlockAsync(int streamId, byte flags, byte[] payload, CancellationToken cancellationToken)
    {
        var fragment = Unpad(payload, flags);
        if ((flags & Http2Frame.PriorityFlag) != 0)
        {
            fragment = fragment[5..];
        }

        var block = new List<byte>(fragment);
        var endHeaders = (flags & Http2Frame.EndHeadersFlag) != 0;
        while (!endHeaders)
        {
            var header = new byte[FrameHeaderSize];
            await _stream.ReadExactlyAsync(header, cancellationToken);
            var continuation = new byte[(header[0] << 16) | (header[1] << 8) | header[2]];
            await _stream.ReadExactlyAsync(continuation, cancellationToken);
            if ((Http2FrameType)header[3] != Http2FrameType.Continuation)
            {
                throw new InvalidDataException("A header block was interrupted by another frame.");
            }

            block.AddRange(continuation);
            endHeaders = (header[4] & Http2Frame.EndHeadersFlag) != 0;
        }

        var fields = _decoder.Decode([.. block]);
        return new Http2Frame(Http2FrameType.Headers, flags, streamId, [.. block], fields);
    }

    private static byte[] Unpad(byte[] payload, byte flags) =>
        (flags & Http2Frame.PaddedFlag) == 0 ? payload : payload[1..(payload.Length - payload[0])];

    private async Task ReturnCreditAsync(int streamId, int length, CancellationToken cancellationToken)
    {
        var increment = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(increment, (uint)length);
        await WriteFrameAsync(Http2FrameType.WindowUpdate, 0, 0, increment, cancellationToken);
        await WriteFrameAsync(Http2FrameType.WindowUpdate, 0, streamId, increment, cancellationToken);
    }

    private async Task WriteFrameAsync(Http2FrameType type, byte flags, int streamId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var frame = new byte[FrameHeaderSize + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = (byte)type;
        frame[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), (uint)streamId);
        payload.CopyTo(frame.AsMemory(FrameHeaderSize));
        await WriteAsync(frame, cancellationToken);
    }

    private async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>HPACK (RFC 7541) as this client sends it: every field a literal without indexing, no Huffman.</summary>
    private static class HpackEncoder
    {
        public static byte[] Encode(IEnumerable<KeyValuePair<string, string>> fields)
        {
            var block = new List<byte>();
            foreach (var (name, value) in fields)
            {
                block.Add(0x00);
                WriteString(block, name);
                WriteString(block, value);
            }

            return [.. block];
        }

        private static void WriteString(List<byte> block, string text)
        {
            var bytes = Encoding.ASCII.GetBytes(text);
            WriteInteger(block, 0x00, 7, bytes.Length);
            block.AddRange(bytes);
        }

        private static void WriteInteger(List<byte> block, byte prefixBits, int prefixLength, int value)
        {
            var max = (1 << prefixLength) - 1;
            if (value < max)
            {
                block.Add((byte)(prefixBits | value));
                return;
            }

            block.Add((byte)(prefixBits | max));
            value -= max;
            while (value >= 0x80)
            {
                block.Add((byte)((value & 0x7F) | 0x80));
                value >>= 7;
            }

            block.Add((byte)value);
        }
    }

    /// <summary>
    /// HPACK decoding with the static and dynamic tables. Huffman-coded strings are refused: Kestrel's
    /// encoder does not produce them, and a test should fail loudly if that ever changes.
    /// </summary>
    private sealed class HpackDecoder
    {
        private static readonly KeyValuePair<string, string>[] StaticTable =
        [
            new(":authority", ""), new(":method", "GET"), new(":method", "POST"), new(":path", "/"),
            new(":path", "/index.html"), new(":scheme", "http"), new(":scheme", "https"), new(":status", "200"),
            new(":status", "204"), new(":status", "206"), new(":status", "304"), new(":status", "400"),
            new(":status", "404"), new(":status", "500"), new("accept-charset", ""), new("accept-encoding", "gzip, deflate"),
            new("accept-language", ""), new("accept-ranges", ""), new("accept", ""), new("access-control-allow-origin", ""),
            new("age", ""), new("allow", ""), new("authorization", ""), new("cache-control", ""),
            new("content-disposition", ""), new("content-encoding", ""), new("content-language", ""), new("content-length", ""),
            new("content-location", ""), new("content-range", ""), new("content-type", ""), new("cookie", ""),
            new("date", ""), new("etag", ""), new("expect", ""), new("expires", ""),
            new("from", ""), new("host", ""), new("if-match", ""), new("if-modified-since", ""),
            new("if-none-match", ""), new("if-range", ""), new("if-unmodified-since", ""), new("last-modified", ""),
            new("link", ""), new("location", ""), new("max-forwards", ""), new("proxy-authenticate", ""),
            new("proxy-authorization", ""), new("range", ""), new("referer", ""), new("refresh", ""),
            new("retry-after", ""), new("server", ""), new("set-cookie", ""), new("strict-transport-security", ""),
            new("transfer-encoding", ""), new("user-agent", ""), new("vary", ""), new("via", ""),
            new("www-authenticate", ""),
        ];

        // Newest first, as HPACK numbers them.
        private readonly List<KeyValuePair<string, string>> _dynamic = [];
        private int _maxSize = 4096;

        public List<KeyValuePair<string, string>> Decode(byte[] block)
        {
            var fields = new List<KeyValuePair<string, string>>();
            var position = 0;
            while (position < block.Length)
            {
                var first = block[position];
                if ((first & 0x80) != 0)
                {
                    fields.Add(Entry(ReadInteger(block, ref position, 7)));
                }
                else if ((first & 0xC0) == 0x40)
                {
                    var field = ReadLiteral(block, ref position, 6);
                    fields.Add(field);
                    Insert(field);
                }
                else if ((first & 0xE0) == 0x20)
                {
                    _maxSize = ReadInteger(block, ref position, 5);
                    Evict(0);
                }
                else
                {
                    // Literal without indexing (0000xxxx) or never indexed (0001xxxx).
                    fields.Add(ReadLiteral(block, ref position, 4));
                }
            }

            return fields;
        }

        private KeyValuePair<string, string> Entry(int index) => index switch
        {
            > 0 when index <= StaticTable.Length => StaticTable[index - 1],
            > 0 when index - StaticTable.Length - 1 < _dynamic.Count => _dynamic[index - StaticTable.Length - 1],
            _ => throw new InvalidDataException($"HPACK index {index} is not in the tables."),
        };

        private KeyValuePair<string, string> ReadLiteral(byte[] block, ref int position, int prefixLength)
        {
            var nameIndex = ReadInteger(block, ref position, prefixLength);
            var name = nameIndex == 0 ? ReadString(block, ref position) : Entry(nameIndex).Key;
            return new(name, ReadString(block, ref position));
        }

        private void Insert(KeyValuePair<string, string> field)
        {
            var size = EntrySize(field);
            Evict(size);
            if (size <= _maxSize)
            {
                _dynamic.Insert(0, field);
            }
        }

        private void Evict(int room)
        {
            while (_dynamic.Count > 0 && _dynamic.Sum(EntrySize) + room > _maxSize)
            {
                _dynamic.RemoveAt(_dynamic.Count - 1);
            }
        }

        private static int EntrySize(KeyValuePair<string, string> field) =>
            Encoding.ASCII.GetByteCount(field.Key) + Encoding.ASCII.GetByteCount(field.Value) + 32;

        private static string ReadString(byte[] block, ref int position)
        {
            if ((block[position] & 0x80) != 0)
            {
                throw new NotSupportedException("Huffman-coded HPACK string: this test client does not decode them.");
            }

            var length = ReadInteger(block, ref position, 7);
            var text = Encoding.ASCII.GetString(block, position, length);
            position += length;
            return text;
        }

        private static int ReadInteger(byte[] block, ref int position, int prefixLength)
        {
            var max = (1 << prefixLength) - 1;
            var value = block[position++] & max;
            if (value < max)
            {
                return value;
            }

            var shift = 0;
            byte next;
            do
            {
                next = block[position++];
                value += (next & 0x7F) << shift;
                shift += 7;
            }
            while ((next & 0x80) != 0);

            return value;
        }
    }
}
