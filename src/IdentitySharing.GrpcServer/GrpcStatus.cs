namespace IdentitySharing.GrpcServer;

/// <summary>The status a call ended with: the <c>grpc-status</c> and <c>grpc-message</c> sent to the client.</summary>
public readonly record struct GrpcStatus(StatusCode StatusCode, string Detail)
{
    public static GrpcStatus Ok { get; } = new(StatusCode.OK, string.Empty);
}
