using Microsoft.Extensions.Logging;

namespace IdentitySharing.GrpcServer.Internal;

internal static partial class GrpcLog
{
    [LoggerMessage(1, LogLevel.Error, "Exception was thrown by the handler of {Method}.")]
    public static partial void HandlerException(ILogger logger, string method, Exception exception);

    [LoggerMessage(2, LogLevel.Debug, "Call {Method} ended with {StatusCode}.")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode statusCode);

    [LoggerMessage(3, LogLevel.Warning, "Ignored malformed grpc-timeout header on {Method}.")]
    public static partial void MalformedTimeout(ILogger logger, string method);

    [LoggerMessage(4, LogLevel.Debug, "Rejected request for {Path}: {StatusCode}.")]
    public static partial void CallRejected(ILogger logger, string path, StatusCode statusCode);
}
