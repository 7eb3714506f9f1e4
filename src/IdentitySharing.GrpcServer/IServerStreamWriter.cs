namespace IdentitySharing.GrpcServer;

/// <summary>Response messages of a server-streaming or duplex call. Each write is flushed to the client at once. Not thread-safe: one write at a time.</summary>
public interface IServerStreamWriter<in T>
{
    ValueTask WriteAsync(T message, CancellationToken cancellationToken = default);
}
