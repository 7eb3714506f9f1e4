using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace IdentitySharing.GrpcServer.Tests.Support;

/// <summary>
/// A raw gRPC client over HttpClient (h2c prior knowledge: HTTP/2.0 with RequestVersionExact),
/// sending hand-built bodies and reading status from trailers or a Trailers-Only response.
/// </summary>
public sealed class GrpcTestClient : IDisposable
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;

    public GrpcTestClient(Uri address)
    {
        _http = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
        {
            BaseAddress = address,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = CallTimeout,
        };
    }

    public HttpClient Http => _http;

    public static HttpRequestMessage CreateRequest(string path, HttpContent content, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        content.Headers.ContentType ??= new MediaTypeHeaderValue("application/grpc");
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    /// <summary>Sends a request with the given raw body and reads the whole response.</summary>
    public async Task<GrpcTestResponse> SendAsync(string path, byte[] body, IEnumerable<KeyValuePair<string, string>>? headers = null, string contentType = "application/grpc")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var request = CreateRequest(path, content, headers);
        using var response = await _http.SendAsync(request);
        return await GrpcTestResponse.ReadAsync(response);
    }

    public Task<GrpcTestResponse> UnaryAsync(string path, IMessage request, IEnumerable<KeyValuePair<string, string>>? headers = null) =>
        SendAsync(path, GrpcFrames.Frame(request), headers);

    public void Dispose() => _http.Dispose();
}

/// <summary>A complete gRPC response: HTTP status, headers, frames and the gRPC status.</summary>
public sealed class GrpcTestResponse
{
    private GrpcTestResponse(HttpResponseMessage response, byte[] body)
    {
        HttpStatus = response.StatusCode;
        Headers = response.Headers;
        ContentHeaders = response.Content.Headers;
        Trailers = response.TrailingHeaders;
        TrailersOnly = Value(response.Headers, "grpc-status") is not null;
        Body = body;
        var statusSource = TrailersOnly ? (HttpHeaders)response.Headers : response.TrailingHeaders;
        Status = Value(statusSource, "grpc-status") is { } status ? (StatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture) : null;
        EncodedMessage = Value(statusSource, "grpc-message");
        StatusDetails = Value(statusSource, "grpc-status-details-bin");
    }

    public HttpStatusCode HttpStatus { get; }

    public HttpResponseHeaders Headers { get; }

    public HttpContentHeaders ContentHeaders { get; }

    public HttpResponseHeaders Trailers { get; }

    /// <summary>Whether the status came in the headers (a single HEADERS frame, no body).</summary>
    public bool TrailersOnly { get; }

    public byte[] Body { get; }

    public StatusCode? Status { get; }

    /// <summary>The <c>grpc-message</c> as sent (percent-encoded).</summary>
    public string? EncodedMessage { get; }

    /// <summary>The <c>grpc-message</c> decoded.</summary>
    public string? Message => EncodedMessage is null ? null : Uri.UnescapeDataString(EncodedMessage);

    public string? StatusDetails { get; }

    public List<GrpcFrame> Frames => GrpcFrames.Parse(Body);

    public static async Task<GrpcTestResponse> ReadAsync(HttpResponseMessage response)
    {
        // Trailers are only available once the body has been read to the end.
        var body = await response.Content.ReadAsByteArrayAsync();
        return new GrpcTestResponse(response, body);
    }

    /// <summary>The only response message, decompressed if the server compressed it.</summary>
    public T Single<T>(MessageParser<T> parser)
        where T : IMessage<T>
    {
        var frame = Frames.Should().ContainSingle().Subject;
        return parser.ParseFrom(frame.Compressed ? GrpcFrames.Gunzip(frame.Payload) : frame.Payload);
    }

    /// <summary>A header or trailer value (first of them), whichever carries it.</summary>
    public string? Metadata(string name) => Value(Headers, name) ?? Value(Trailers, name);

    public static string? Value(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
