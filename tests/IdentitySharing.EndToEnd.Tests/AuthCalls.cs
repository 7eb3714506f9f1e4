using Google.Protobuf;
using IdentitySharing.Testing.Grpc;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>Unary calls by path with optional metadata, cancelled with the test.</summary>
public static class AuthCalls
{
    public static Task<GrpcCallResult<TResponse>> CallAsync<TRequest, TResponse>(
        this GrpcWireClient client, string path, TRequest request, MessageParser<TResponse> parser, IEnumerable<KeyValuePair<string, string>>? metadata = null)
        where TRequest : IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        client.UnaryAsync(path, request, parser, metadata, cancellationToken: TestContext.Current.CancellationToken);
}
