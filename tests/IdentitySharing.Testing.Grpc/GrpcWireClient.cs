using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace IdentitySharing.Testing.Grpc;

/// <summary>The outcome of one unary call as seen on the wire.</summary>
public sealed record GrpcCallResult<TResponse>(
    int HttpStatus,
    int StatusCode,
    string? StatusMessage,
    Google.Rpc.Status? StatusDetails,
    TResponse? Response,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Trailers)
    where TResponse : class
{
    /// <summary>Unpacks the first detail of the given type from grpc-status-details-bin.</summary>
    public T? Detail<T>() where T : class, IMessage<T>, new()
    {
        if (StatusDetails is null)
        {
            return null;
        }
        foreach (var any in StatusDetails.Details)
        {
            if (any.TryUnpack<T>(out var detail))
            {
                return detail;
            }
        }
        return null;
    }
}

/// <summary>
/// Calls unary gRPC methods over h2c with HttpClient: frames the request, reads the framed
/// response and the trailers (or the Trailers-Only headers). Enough for tests; not a product client.
/// </summary>
public sealed class GrpcWireClient : IDisposable
{
    private readonly HttpClient _http;

    public GrpcWireClient(Uri address)
        : this(address, new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
    {
    }

    /// <summary>With a handler of the caller's choosing: TLS options (client certificate, trust), one connection only.</summary>
    public GrpcWireClient(Uri address, SocketsHttpHandler handler)
    {
        _http = new HttpClient(handler)
        {
            BaseAddress = address,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public async Task<GrpcCallResult<TResponse>> UnaryAsync<TRequest, TResponse>(
        string path,
        TRequest request,
        MessageParser<TResponse> parser,
        IEnumerable<KeyValuePair<string, string>>? metadata = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
        where TRequest : IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parser);
        using var message = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(Frame(request.ToByteArray())),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        message.Headers.TryAddWithoutValidation("te", "trailers");
        if (timeout is { } t)
        {
            message.Headers.TryAddWithoutValidation("grpc-timeout", $"{Math.Max(1, (long)t.TotalMilliseconds)}m");
        }
        foreach (var (name, value) in metadata ?? [])
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = Flatten(response.Headers.Concat(response.Content.Headers));
        var trailers = Flatten(response.TrailingHeaders);
        // Trailers-Only: the status travels in the headers.
        var statusSource = trailers.ContainsKey("grpc-status") ? trailers : headers;

        TResponse? parsed = null;
        if (body.Length >= 5)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(1, 4));
            if (body[0] != 0 || length != body.Length - 5)
            {
                throw new InvalidDataException($"Not one uncompressed gRPC message: {Convert.ToHexString(body.AsSpan(0, Math.Min(body.Length, 64)))} ({body.Length} bytes)");
            }
            parsed = parser.ParseFrom(body, 5, length);
        }

        var code = statusSource.TryGetValue("grpc-status", out var s) ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : -1;
        var statusMessage = statusSource.TryGetValue("grpc-message", out var m) ? Uri.UnescapeDataString(m) : null;
        Google.Rpc.Status? details = null;
        if (statusSource.TryGetValue("grpc-status-details-bin", out var d))
        {
            details = Google.Rpc.Status.Parser.ParseFrom(FromUnpaddedBase64(d));
        }
        return new GrpcCallResult<TResponse>((int)response.StatusCode, code, statusMessage, details, parsed, headers, trailers);
    }

    public void Dispose() => _http.Dispose();

    private static byte[] Frame(byte[] payload)
    {
        var framed = new byte[payload.Length + 5];
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1, 4), payload.Length);
        payload.CopyTo(framed, 5);
        return framed;
    }

    private static byte[] FromUnpaddedBase64(string value)
    {
        var padded = value.PadRight(value.Length + (4 - value.Length % 4) % 4, '=');
        return Convert.FromBase64String(padded);
    }

    private static Dictionary<string, string> Flatten(IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers) =>
        headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
}
