using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using IdentitySharing.GrpcServer.Tests.Support;
using Google.Protobuf;

namespace IdentitySharing.GrpcServer.Tests.Reflection;

/// <summary>
/// A minimal gRPC client on HttpClient over h2c (HTTP/2 prior knowledge), enough to drive
/// unary, server-streaming and duplex calls message by message in tests.
/// </summary>
internal sealed class H2cGrpcClient(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };

    public async Task<(TResponse? Response, StatusCode Status, string? Message)> UnaryAsync<TResponse>(
        string path, IMessage request, MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>
    {
        await using var call = Start(path, parser, cancellationToken);
        await call.WriteAsync(request);
        call.CompleteRequests();
        var response = await call.ReadAsync();
        return (response, await call.ReadStatusAsync(), call.StatusMessage);
    }

    /// <summary>Starts a call whose requests are sent as they are written and whose responses are read as they arrive.</summary>
    public GrpcStreamingCall<TResponse> Start<TResponse>(string path, MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>
    {
        var requests = new StreamingRequestContent();
        var message = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = requests,
        };
        message.Headers.TryAddWithoutValidation("te", "trailers");
        // The response headers may wait for the first response, which may wait for a request:
        // return at once and let the caller write.
        var response = _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return new GrpcStreamingCall<TResponse>(requests, response, parser, cancellationToken);
    }

    public void Dispose() => _http.Dispose();
}

internal sealed class GrpcStreamingCall<TResponse> : IAsyncDisposable
    where TResponse : class, IMessage<TResponse>
{
    // Generous: the machine running the tests may be loaded.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly StreamingRequestContent _requests;
    private readonly Task<HttpResponseMessage> _responseTask;
    private readonly MessageParser<TResponse> _parser;
    private readonly CancellationToken _cancellationToken;
    private HttpResponseMessage? _response;
    private Stream? _body;
    private bool _readMessage;

    internal GrpcStreamingCall(StreamingRequestContent requests, Task<HttpResponseMessage> response, MessageParser<TResponse> parser, CancellationToken cancellationToken)
    {
        _requests = requests;
        _responseTask = response;
        _parser = parser;
        _cancellationToken = cancellationToken;
    }

    public string? StatusMessage { get; private set; }

    public ValueTask WriteAsync(IMessage request) => _requests.SendAsync(GrpcFrames.Frame(request));

    /// <summary>Half-closes the request stream.</summary>
    public void CompleteRequests() => _requests.Complete();

    /// <summary>The next response message, or null when the server has ended the stream.</summary>
    public Task<TResponse?> ReadAsync() => ReadMessageAsync().WaitAsync(Patience, _cancellationToken);

    /// <summary>Reads to the end of the response and returns its grpc-status (from trailers, or headers for Trailers-Only).</summary>
    public Task<StatusCode> ReadStatusAsync() => ReadToStatusAsync().WaitAsync(Patience, _cancellationToken);

    private async Task<TResponse?> ReadMessageAsync()
    {
        var body = await BodyAsync();
        var prefix = new byte[5];
        var read = await body.ReadAtLeastAsync(prefix, prefix.Length, throwOnEndOfStream: false, _cancellationToken);
        if (read == 0)
        {
            return null;
        }

        read.Should().Be(prefix.Length, "a message prefix is 5 bytes");
        prefix[0].Should().Be(0, "the test client does not ask for compression");
        var message = new byte[BinaryPrimitives.ReadUInt32BigEndian(prefix.AsSpan(1))];
        await body.ReadExactlyAsync(message, _cancellationToken);
        _readMessage = true;
        return _parser.ParseFrom(message);
    }

    private async Task<StatusCode> ReadToStatusAsync()
    {
        var body = await BodyAsync();
        await body.CopyToAsync(Stream.Null, _cancellationToken);
        var response = _response!;
        // Trailers-Only (status in the headers) is only valid for a response without messages.
        var trailersOnly = !_readMessage && Header(response.TrailingHeaders, "grpc-status") is null;
        HttpHeaders statusHeaders = trailersOnly ? response.Headers : response.TrailingHeaders;
        var status = Header(statusHeaders, "grpc-status")
            ?? throw new InvalidOperationException("The response carried no grpc-status where the protocol puts it.");
        StatusMessage = Header(statusHeaders, "grpc-message");
        return (StatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        _requests.Complete();
        if (_body is not null)
        {
            await _body.DisposeAsync();
        }

        _response?.Dispose();
    }

    private async Task<Stream> BodyAsync()
    {
        if (_body is null)
        {
            _response = await _responseTask;
            _response.StatusCode.Should().Be(HttpStatusCode.OK);
            _body = await _response.Content.ReadAsStreamAsync(_cancellationToken);
        }

        return _body;
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
