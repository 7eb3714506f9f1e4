using System.Net;
using Google.Protobuf;
using IdentitySharing.GrpcServer.Internal;
using Microsoft.AspNetCore.Http;

namespace IdentitySharing.GrpcServer;

/// <summary>
/// One gRPC call as handlers and interceptors see it. Created per call; everything not needed
/// by every call (metadata list, trailers, items, peer) is built on first use.
/// </summary>
public sealed class ServerCallContext
{
    private readonly GrpcMethod _method;
    private readonly GrpcServerOptions _options;
    private List<KeyValuePair<string, string>>? _requestHeaders;
    private List<KeyValuePair<string, string>>? _responseTrailers;
    private Dictionary<object, object?>? _items;
    private string? _peer;
    private GrpcCompression? _responseCompression;
    private bool _responseHeadersPrepared;
    private CancellationTokenSource? _deadlineSource;

    internal ServerCallContext(HttpContext httpContext, GrpcMethod method, GrpcServerOptions options)
    {
        HttpContext = httpContext;
        _method = method;
        _options = options;
        ResponseCompressionAlgorithm = options.ResponseCompressionAlgorithm;
    }

    /// <summary>The request path, <c>/package.Service/Method</c>.</summary>
    public string Method => _method.Path;

    /// <summary>Full service name, e.g. <c>package.Service</c>.</summary>
    public string ServiceName => _method.ServiceName;

    public string MethodName => _method.MethodName;

    public Google.Protobuf.Reflection.MethodDescriptor MethodDescriptor => _method.Descriptor;

    public HttpContext HttpContext { get; }

    /// <summary>The end of the call from <c>grpc-timeout</c>; null when the client set none.</summary>
    public DateTimeOffset? Deadline { get; private set; }

    /// <summary>
    /// Fires when the client cancels (RST_STREAM) or the deadline passes. Server shutdown does not
    /// fire it: in-flight calls drain. Long-lived streams end themselves on
    /// <c>IHostApplicationLifetime.ApplicationStopping</c>.
    /// </summary>
    public CancellationToken CancellationToken => _deadlineSource?.Token ?? HttpContext.RequestAborted;

    /// <summary>
    /// For request body reads: the deadline if any. Kestrel already fails body reads on RST_STREAM,
    /// so calls without a deadline skip creating the RequestAborted token source.
    /// </summary>
    internal CancellationToken ReadCancellationToken => _deadlineSource?.Token ?? default;

    /// <summary>Custom request metadata (no pseudo, <c>grpc-*</c> or transport headers); <c>-bin</c> values as unpadded base64, one entry per value.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> RequestHeaders =>
        _requestHeaders ??= GrpcMetadata.ReadRequestMetadata(HttpContext.Request.Headers);

    /// <summary>One custom request header (comma-joined if repeated); for <c>-bin</c> names the first value as unpadded base64. Null when absent or reserved.</summary>
    public string? GetRequestHeader(string name) => GrpcMetadata.GetRequestHeader(HttpContext.Request.Headers, name);

    /// <summary>Custom trailers sent with the status. <c>-bin</c> values are base64 (sent unpadded).</summary>
    public List<KeyValuePair<string, string>> ResponseTrailers => _responseTrailers ??= [];

    internal List<KeyValuePair<string, string>>? ResponseTrailersOrNull => _responseTrailers;

    /// <summary>Per-call state shared between interceptors and handlers.</summary>
    public IDictionary<object, object?> Items => _items ??= [];

    /// <summary>The client address as gRPC names it: <c>ipv4:1.2.3.4:5678</c> or <c>ipv6:[::1]:5678</c>.</summary>
    public string Peer => _peer ??= FormatPeer(HttpContext.Connection.RemoteIpAddress, HttpContext.Connection.RemotePort);

    /// <summary>
    /// Compression for this call's responses (<c>gzip</c>, <c>deflate</c>, or null for none); defaults to
    /// <see cref="GrpcServerOptions.ResponseCompressionAlgorithm"/>. Used only if the client accepts it;
    /// set it before the first response message or header write.
    /// </summary>
    public string? ResponseCompressionAlgorithm { get; set; }

    /// <summary>Whether the last request message read arrived compressed.</summary>
    public bool RequestMessageCompressed { get; internal set; }

    /// <summary>The status the handler produced, set when it completes (OK or the failure it ended with); null while it runs.</summary>
    public GrpcStatus? Status { get; internal set; }

    internal GrpcCompression? RequestCompression { get; set; }

    internal bool IsCompleted { get; set; }

    /// <summary>
    /// Whether headers or a message went into the response. Kestrel's <c>HasStarted</c> stays false
    /// for unflushed writes, so the call tracks it to tell trailers from Trailers-Only.
    /// </summary>
    internal bool ResponseStarted { get; private set; }

    /// <summary>
    /// Whether the call's deadline fired (and the client had not already gone): the call then
    /// ends in DEADLINE_EXCEEDED. Ask this rather than comparing <see cref="Deadline"/> with the
    /// clock: the deadline's timer runs on a coarse monotonic clock and can fire a few
    /// milliseconds before the wall clock reaches <see cref="Deadline"/>.
    /// </summary>
    public bool DeadlineExceeded => _deadlineSource is { IsCancellationRequested: true } && !HttpContext.RequestAborted.IsCancellationRequested;

    internal GrpcMethod GrpcMethod => _method;

    internal int MaxReceiveMessageSize => _options.MaxReceiveMessageSize;

    /// <summary>Sends response headers (custom metadata) now, ahead of any message.</summary>
    public async ValueTask WriteResponseHeadersAsync(IEnumerable<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (HttpContext.Response.HasStarted)
        {
            throw new InvalidOperationException("Response headers have already been sent.");
        }

        var responseHeaders = HttpContext.Response.Headers;
        foreach (var (name, value) in headers)
        {
            responseHeaders.Append(name, GrpcMetadata.ToWireValue(name, value));
        }

        PrepareResponseHeaders();
        ResponseStarted = true;

        // StartAsync alone leaves the headers buffered; the flush puts them on the wire.
        await HttpContext.Response.BodyWriter.FlushAsync(CancellationToken).ConfigureAwait(false);
    }

    internal void StartDeadline(TimeSpan timeout)
    {
        // grpc-timeout allows up to 99,999,999 hours, past year 9999: such a deadline is "never".
        var now = DateTimeOffset.UtcNow;
        Deadline = timeout < DateTimeOffset.MaxValue - now ? now + timeout : DateTimeOffset.MaxValue;

        // CancelAfter takes at most ~49 days; a longer deadline never fires in practice.
        var maxTimer = TimeSpan.FromMilliseconds(int.MaxValue);
        _deadlineSource = CancellationTokenSource.CreateLinkedTokenSource(HttpContext.RequestAborted);
        _deadlineSource.CancelAfter(timeout < maxTimer ? timeout : maxTimer);
    }

    internal void ThrowIfDeadlineExceeded()
    {
        if (DeadlineExceeded)
        {
            throw new RpcException(StatusCode.DeadlineExceeded, CallOutcome.DeadlineExceeded.Status.Detail);
        }
    }

    internal void DisposeDeadline() => _deadlineSource?.Dispose();

    /// <summary>Frames a response message into the body without flushing.</summary>
    internal void WriteMessage<T>(T message)
        where T : class, IMessage<T>
    {
        if (IsCompleted)
        {
            throw new InvalidOperationException("The call has completed; no more messages can be written.");
        }

        PrepareResponseHeaders();
        MessageWriter.Write(HttpContext.Response.BodyWriter, message, _responseCompression, _options.MaxSendMessageSize);
        ResponseStarted = true;
    }

    /// <summary>Settles the response encoding once, just before headers can leave.</summary>
    private void PrepareResponseHeaders()
    {
        if (_responseHeadersPrepared)
        {
            return;
        }

        _responseHeadersPrepared = true;
        if (ResponseCompressionAlgorithm is { } algorithm
            && GrpcCompression.Find(algorithm) is { } compression
            && GrpcCompression.IsAccepted(HttpContext.Request.Headers[GrpcProtocol.AcceptEncodingHeader], algorithm))
        {
            _responseCompression = compression;
            HttpContext.Response.Headers[GrpcProtocol.EncodingHeader] = compression.Name;
        }
    }

    private static string FormatPeer(IPAddress? address, int port) => address switch
    {
        null => "unknown",
        { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } when address.IsIPv4MappedToIPv6 => $"ipv4:{address.MapToIPv4()}:{port}",
        { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } => $"ipv6:[{address}]:{port}",
        _ => $"ipv4:{address}:{port}",
    };
}
