using System.Net;
using System.Threading.Channels;

namespace IdentitySharing.GrpcServer.Tests.Support;

/// <summary>A request body the test writes frame by frame while the call runs (client or duplex streaming).</summary>
public sealed class StreamingRequestContent : HttpContent
{
    private readonly Channel<byte[]> _frames = Channel.CreateUnbounded<byte[]>();

    public StreamingRequestContent() => Headers.ContentType = new("application/grpc");

    public ValueTask SendAsync(byte[] frame) => _frames.Writer.WriteAsync(frame);

    /// <summary>Half-closes the request stream (END_STREAM).</summary>
    public void Complete() => _frames.Writer.TryComplete();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await foreach (var frame in _frames.Reader.ReadAllAsync())
        {
            await stream.WriteAsync(frame);
            await stream.FlushAsync();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
