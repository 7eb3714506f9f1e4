using IdentitySharing.GrpcServer;

namespace IdentitySharing.Host.Telemetry;

/// <summary>The status a call ends with, as seen from an interceptor's <c>finally</c>.</summary>
internal static class CallStatus
{
    /// <summary>
    /// The handler's status when it ran; a status an inner interceptor threw (authentication,
    /// rate limit) otherwise; UNKNOWN for anything else thrown.
    /// </summary>
    public static StatusCode Of(ServerCallContext context, Exception? exception) => exception switch
    {
        RpcException rpc => rpc.StatusCode,
        null => context.Status?.StatusCode ?? StatusCode.OK,
        _ => context.Status?.StatusCode ?? StatusCode.Unknown,
    };

    /// <summary>The codes that mean the server failed (OpenTelemetry's gRPC server span status rule).</summary>
    public static bool IsServerError(StatusCode code) => code is StatusCode.Unknown or StatusCode.DeadlineExceeded
        or StatusCode.Unimplemented or StatusCode.Internal or StatusCode.Unavailable or StatusCode.DataLoss;
}
