using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace IdentitySharing.GrpcServer.Internal;

internal sealed class UnaryMethod<TRequest, TResponse>(
    MethodDescriptor descriptor,
    MessageParser<TRequest> parser,
    Func<TRequest, ServerCallContext, Task<TResponse>> handler) : GrpcMethod(descriptor)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task InvokeAsync(ServerCallContext context)
    {
        var request = await MessageReader.ReadSingleAsync(context, parser).ConfigureAwait(false);
        var response = await handler(request, context).ConfigureAwait(false);
        context.ThrowIfDeadlineExceeded();

        // Not flushed: Kestrel sends headers, message and trailers together.
        context.WriteMessage(response);
    }
}

internal sealed class ClientStreamingMethod<TRequest, TResponse>(
    MethodDescriptor descriptor,
    MessageParser<TRequest> parser,
    Func<IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> handler) : GrpcMethod(descriptor)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task InvokeAsync(ServerCallContext context)
    {
        var response = await handler(new RequestStreamReader<TRequest>(context, parser), context).ConfigureAwait(false);
        context.ThrowIfDeadlineExceeded();
        context.WriteMessage(response);
    }
}

internal sealed class ServerStreamingMethod<TRequest, TResponse>(
    MethodDescriptor descriptor,
    MessageParser<TRequest> parser,
    Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler) : GrpcMethod(descriptor)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task InvokeAsync(ServerCallContext context)
    {
        var request = await MessageReader.ReadSingleAsync(context, parser).ConfigureAwait(false);
        await handler(request, new ResponseStreamWriter<TResponse>(context), context).ConfigureAwait(false);
    }
}

internal sealed class DuplexStreamingMethod<TRequest, TResponse>(
    MethodDescriptor descriptor,
    MessageParser<TRequest> parser,
    Func<IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler) : GrpcMethod(descriptor)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override Task InvokeAsync(ServerCallContext context) =>
        handler(new RequestStreamReader<TRequest>(context, parser), new ResponseStreamWriter<TResponse>(context), context);
}

internal sealed class RequestStreamReader<T>(ServerCallContext context, MessageParser<T> parser) : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private T? _current;

    public T Current => _current ?? throw new InvalidOperationException("No message has been read yet.");

    public async ValueTask<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        var token = cancellationToken.CanBeCanceled ? cancellationToken : context.ReadCancellationToken;
        _current = await MessageReader.ReadNextAsync(context, parser, token).ConfigureAwait(false);
        return _current is not null;
    }
}

internal sealed class ResponseStreamWriter<T>(ServerCallContext context) : IServerStreamWriter<T>
    where T : class, IMessage<T>
{
    public async ValueTask WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        context.WriteMessage(message);
        var token = cancellationToken.CanBeCanceled ? cancellationToken : context.CancellationToken;
        await context.HttpContext.Response.BodyWriter.FlushAsync(token).ConfigureAwait(false);
    }
}
