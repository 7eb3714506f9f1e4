namespace IdentitySharing.GrpcServer;

/// <summary>
/// Wraps every mapped call (not UNIMPLEMENTED or shutdown rejections, which never reach a handler).
/// Registered with <c>AddGrpcInterceptor&lt;T&gt;()</c> as singletons; the first registered is outermost.
/// <para>
/// An interceptor ends a call early by throwing <see cref="RpcException"/> instead of calling
/// <c>next</c> (authentication does this). Exceptions from the handler propagate
/// through <c>next</c> so interceptors can observe them; when <c>next</c>
/// returns or throws, <see cref="ServerCallContext.Status"/> holds the status the call will end with
/// as far as the inner layers decided it (OK, the handler's failure, or an inner interceptor's
/// rejection), so a logging interceptor can record it in a <c>finally</c> block.
/// </para>
/// </summary>
public interface IGrpcInterceptor
{
    ValueTask InterceptAsync(ServerCallContext context, Func<ServerCallContext, ValueTask> next);
}
