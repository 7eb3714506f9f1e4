using IdentitySharing.Application.Ports;

namespace IdentitySharing.Host.Rpc;

/// <summary>
/// <see cref="ICallerContext"/> for the current gRPC call: the caller is the authenticated
/// user's name (set by the authentication layer), else <see cref="ICallerContext.Anonymous"/>;
/// the RPC is the method name from the call's path (<c>/package.Service/Method</c>).
/// </summary>
internal sealed class HttpCallerContext(IHttpContextAccessor accessor) : ICallerContext
{
    private HttpContext Call => accessor.HttpContext ?? throw new InvalidOperationException("ICallerContext is only available during a call");

    public string CallerName =>
        Call.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : ICallerContext.Anonymous;

    public string RpcName
    {
        get
        {
            var path = Call.Request.Path.Value ?? string.Empty;
            return path[(path.LastIndexOf('/') + 1)..];
        }
    }
}
