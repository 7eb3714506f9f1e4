namespace IdentitySharing.GrpcServer;

/// <summary>
/// Ends a call with a status. <see cref="Details"/>, when set, is sent as
/// <c>grpc-status-details-bin</c>; the server keeps its code and message equal to the status's.
/// Without details the server still sends a <c>google.rpc.Status</c> with just the code and message.
/// Handlers that return expected failures should prefer returning a status through this
/// exception from one mapping place rather than throwing it from deep inside.
/// </summary>
public sealed class RpcException : Exception
{
    public RpcException(StatusCode statusCode, string detail, Google.Rpc.Status? details = null)
        : base(detail)
    {
        StatusCode = statusCode;
        Detail = detail;
        Details = details;
    }

    public RpcException() : this(StatusCode.Unknown, "Unknown error")
    {
    }

    public RpcException(string message) : this(StatusCode.Unknown, message)
    {
    }

    public RpcException(string message, Exception innerException) : base(message, innerException)
    {
        StatusCode = StatusCode.Unknown;
        Detail = message;
    }

    public StatusCode StatusCode { get; }

    /// <summary>The <c>grpc-message</c>: safe for the caller to read.</summary>
    public string Detail { get; }

    /// <summary>Rich error details (BadRequest, ErrorInfo, RetryInfo...), sent as <c>grpc-status-details-bin</c>.</summary>
    public Google.Rpc.Status? Details { get; }

    /// <summary>Extra trailers to send with the status (custom metadata).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Trailers { get; init; } = [];
}
