using System.Diagnostics;
using IdentitySharing.GrpcServer;
using IdentitySharing.Host.Auth;
using IdentitySharing.Host.Telemetry;

namespace IdentitySharing.Host.Logging;

/// <summary>
/// One log line per RPC: method, caller, status, duration and trace id. Runs inside the telemetry
/// interceptor (so the trace id is the RPC span's) and outside authentication (so rejected calls
/// are logged too). Never a request field or the <c>grpc-message</c>: only names and codes.
/// </summary>
internal sealed partial class RpcLoggingInterceptor(ILoggerFactory loggers) : IGrpcInterceptor
{
    /// <summary>One category for the per-RPC lines, so they can be filtered in configuration.</summary>
    public const string Category = "IdentitySharing.Rpc";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public async ValueTask InterceptAsync(ServerCallContext context, Func<ServerCallContext, ValueTask> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var started = Stopwatch.GetTimestamp();
        Exception? failure = null;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            failure = exception;
            throw;
        }
        finally
        {
            var code = CallStatus.Of(context, failure);
            var level = CallStatus.IsServerError(code) ? LogLevel.Warning : LogLevel.Information;
            RpcCompleted(
                _logger,
                level,
                context.MethodName,
                context.ServiceName,
                CallerIdentity.Find(context) ?? "unauthenticated",
                code,
                (int)code,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                Activity.Current?.TraceId.ToHexString() ?? string.Empty);
        }
    }

    [LoggerMessage(EventId = 1, Message = "RPC {RpcMethod} ({RpcService}) by {Caller} ended {GrpcStatus} ({GrpcStatusCode}) in {ElapsedMs:F1} ms, trace {TraceId}")]
    private static partial void RpcCompleted(ILogger logger, LogLevel level, string rpcMethod, string rpcService, string caller, StatusCode grpcStatus, int grpcStatusCode, double elapsedMs, string traceId);
}
