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

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    // HttpClient cancels the token once the server has ended the call (RST_STREAM after the
    // response), so an unfinished request stream stops with it, as a real gRPC client's does.
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // SocketsHttpHandler leaves the HEADERS of a request with a body in its write buffer until
        // the body is flushed, unless other traffic happens to flush them (on a new connection, the
        // SETTINGS ACK: a race). Flush now, as gRPC clients do, or a call that has not sent a
        // message may never reach the server.
        await stream.FlushAsync(cancellationToken);
        await foreach (var frame in _frames.Reader.ReadAllAsync(cancellationToken))
        {
            await stream.WriteAsync(frame, cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
