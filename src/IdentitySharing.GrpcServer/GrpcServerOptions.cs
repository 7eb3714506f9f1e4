namespace IdentitySharing.GrpcServer;

/// <summary>Server-wide gRPC settings, configured through <c>AddGrpcServer(options => ...)</c>.</summary>
public sealed class GrpcServerOptions
{
    /// <summary>Largest request message accepted, before and after decompression; larger ones end the call with RESOURCE_EXHAUSTED. Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest response message sent (uncompressed size); larger ones end the call with RESOURCE_EXHAUSTED. Null = unlimited.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>When true, a handler's unexpected exception type and message reach the client in <c>grpc-message</c>. Off outside development.</summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>
    /// Default response compression (<c>gzip</c> or <c>deflate</c>); null = none. Applied only when the
    /// client lists the algorithm in <c>grpc-accept-encoding</c>. A call may override it through
    /// <see cref="ServerCallContext.ResponseCompressionAlgorithm"/>.
    /// </summary>
    public string? ResponseCompressionAlgorithm { get; set; }
}
