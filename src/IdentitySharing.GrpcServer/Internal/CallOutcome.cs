namespace IdentitySharing.GrpcServer.Internal;

/// <summary>How a call ended: the status plus what travels with it in the trailers.</summary>
internal readonly record struct CallOutcome(GrpcStatus Status, Google.Rpc.Status? Details, IReadOnlyList<KeyValuePair<string, string>> Trailers)
{
    public const string HandlerExceptionMessage = "Exception was thrown by handler.";

    public static CallOutcome Ok { get; } = new(GrpcStatus.Ok, null, []);

    public static CallOutcome DeadlineExceeded { get; } = FromStatus(StatusCode.DeadlineExceeded, "Deadline Exceeded");

    public static CallOutcome FromStatus(StatusCode code, string detail) => new(new GrpcStatus(code, detail), null, []);

    /// <summary>Maps whatever ended a call to its status. A passed deadline wins over what the handler threw.</summary>
    public static CallOutcome FromException(ServerCallContext context, Exception exception, bool detailedErrors)
    {
        if (context.DeadlineExceeded)
        {
            return DeadlineExceeded;
        }

        if (exception is RpcException rpc)
        {
            return new(new GrpcStatus(rpc.StatusCode, rpc.Detail), rpc.Details, rpc.Trailers);
        }

        if (context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return FromStatus(StatusCode.Cancelled, "Call canceled by the client.");
        }

        return FromStatus(
            StatusCode.Unknown,
            detailedErrors ? $"{HandlerExceptionMessage} {exception.GetType().Name}: {exception.Message}" : HandlerExceptionMessage);
    }
}
