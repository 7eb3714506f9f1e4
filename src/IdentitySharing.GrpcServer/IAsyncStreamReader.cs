namespace IdentitySharing.GrpcServer;

/// <summary>Request messages of a client-streaming or duplex call, read one at a time as they arrive.</summary>
public interface IAsyncStreamReader<out T>
{
    /// <summary>The message read by the last successful <see cref="MoveNext"/>.</summary>
    T Current { get; }

    /// <summary>Waits for the next message; false once the client has half-closed the stream.</summary>
    ValueTask<bool> MoveNext(CancellationToken cancellationToken = default);
}
