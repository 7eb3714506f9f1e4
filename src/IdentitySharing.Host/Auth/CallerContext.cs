using IdentitySharing.Application.Ports;
using IdentitySharing.GrpcServer;

namespace IdentitySharing.Host.Auth;

/// <summary>
/// The request-scoped <see cref="ICallerContext"/>: filled in by <see cref="CallerAuthenticationInterceptor"/>
/// once per call, before the handler resolves anything from the request's services.
/// </summary>
internal sealed class CallerContext : ICallerContext
{
    public string CallerName { get; private set; } = ICallerContext.Anonymous;

    public string RpcName { get; private set; } = string.Empty;

    private ServerCallContext? _call;

    public bool DeadlineExceeded => _call?.DeadlineExceeded ?? false;

    public void Set(string callerName, ServerCallContext call)
    {
        CallerName = callerName;
        RpcName = call.MethodName;
        _call = call;
    }
}

/// <summary>Who the current call authenticated as, kept in <see cref="ServerCallContext.Items"/> for the other interceptors.</summary>
public static class CallerIdentity
{
    private static readonly object Key = typeof(CallerIdentity);

    /// <summary>The caller's name; null when the call needs no authentication (open health or reflection) or was rejected.</summary>
    public static string? Find(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(Key, out var name) ? name as string : null;
    }

    internal static void Set(ServerCallContext context, string callerName) => context.Items[Key] = callerName;
}
