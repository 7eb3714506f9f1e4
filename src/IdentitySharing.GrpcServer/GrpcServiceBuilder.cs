using Google.Protobuf;
using Google.Protobuf.Reflection;
using IdentitySharing.GrpcServer.Internal;

namespace IdentitySharing.GrpcServer;

/// <summary>
/// Binds handlers to the methods of one proto service. Each call checks the method exists, has the
/// right streaming kind and the right message types; mapping fails if any proto method is left
/// without a handler.
/// </summary>
public sealed class GrpcServiceBuilder
{
    private readonly ServiceDescriptor _service;
    private readonly Dictionary<string, GrpcMethod> _methods = new(StringComparer.Ordinal);

    internal GrpcServiceBuilder(ServiceDescriptor service) => _service = service;

    public GrpcServiceBuilder Unary<TRequest, TResponse>(string methodName, Func<TRequest, ServerCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(handler);
        var method = FindMethod<TRequest, TResponse>(methodName, clientStreaming: false, serverStreaming: false, "Unary");
        return Add(new UnaryMethod<TRequest, TResponse>(method, ParserOf<TRequest>(), handler));
    }

    public GrpcServiceBuilder ClientStreaming<TRequest, TResponse>(string methodName, Func<IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(handler);
        var method = FindMethod<TRequest, TResponse>(methodName, clientStreaming: true, serverStreaming: false, "ClientStreaming");
        return Add(new ClientStreamingMethod<TRequest, TResponse>(method, ParserOf<TRequest>(), handler));
    }

    public GrpcServiceBuilder ServerStreaming<TRequest, TResponse>(string methodName, Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(handler);
        var method = FindMethod<TRequest, TResponse>(methodName, clientStreaming: false, serverStreaming: true, "ServerStreaming");
        return Add(new ServerStreamingMethod<TRequest, TResponse>(method, ParserOf<TRequest>(), handler));
    }

    /// <summary>Bidirectional streaming: the handler reads requests as they arrive and each write is flushed at once.</summary>
    public GrpcServiceBuilder DuplexStreaming<TRequest, TResponse>(string methodName, Func<IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(handler);
        var method = FindMethod<TRequest, TResponse>(methodName, clientStreaming: true, serverStreaming: true, "DuplexStreaming");
        return Add(new DuplexStreamingMethod<TRequest, TResponse>(method, ParserOf<TRequest>(), handler));
    }

    /// <summary>The bound methods; throws if a proto method has no handler.</summary>
    internal IReadOnlyCollection<GrpcMethod> Build()
    {
        var missing = _service.Methods.Where(m => !_methods.ContainsKey(m.Name)).Select(m => m.Name).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"gRPC service '{_service.FullName}' has no handler for: {string.Join(", ", missing)}. Every method of a mapped service needs one.");
        }

        return _methods.Values;
    }

    private MethodDescriptor FindMethod<TRequest, TResponse>(string methodName, bool clientStreaming, bool serverStreaming, string kind)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var method = _service.FindMethodByName(methodName)
            ?? throw new InvalidOperationException($"gRPC service '{_service.FullName}' has no method '{methodName}'.");

        if (method.IsClientStreaming != clientStreaming || method.IsServerStreaming != serverStreaming)
        {
            throw new InvalidOperationException(
                $"gRPC method '{_service.FullName}/{methodName}' is {KindOf(method)}; it cannot take a {kind} handler.");
        }

        CheckMessageType<TRequest>(method, method.InputType, "request");
        CheckMessageType<TResponse>(method, method.OutputType, "response");

        if (_methods.ContainsKey(methodName))
        {
            throw new InvalidOperationException($"gRPC method '{_service.FullName}/{methodName}' already has a handler.");
        }

        return method;
    }

    private static void CheckMessageType<T>(MethodDescriptor method, MessageDescriptor expected, string role)
        where T : class, IMessage<T>, new()
    {
        var actual = new T().Descriptor;
        if (actual.FullName != expected.FullName)
        {
            throw new InvalidOperationException(
                $"gRPC method '{method.FullName}' takes {role} type '{expected.FullName}', not '{actual.FullName}'.");
        }
    }

    private static string KindOf(MethodDescriptor method) => (method.IsClientStreaming, method.IsServerStreaming) switch
    {
        (false, false) => "Unary",
        (true, false) => "ClientStreaming",
        (false, true) => "ServerStreaming",
        _ => "DuplexStreaming",
    };

    private static MessageParser<T> ParserOf<T>()
        where T : class, IMessage<T>, new() => new(() => new T());

    private GrpcServiceBuilder Add(GrpcMethod method)
    {
        _methods.Add(method.MethodName, method);
        return this;
    }
}
