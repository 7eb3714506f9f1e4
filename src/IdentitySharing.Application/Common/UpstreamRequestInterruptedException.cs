namespace IdentitySharing.Application.Common;

/// <summary>
/// The caller's cancellation (its gRPC deadline, or the client going away) cut off an upstream
/// request that may already have reached the upstream, so the upstream may have acted. It is a
/// cancellation like any other for the caller (DEADLINE_EXCEEDED or CANCELLED), but the
/// idempotency layer must not forget the attempt: a retry under the same <c>request_id</c> has
/// to find out what happened before acting again (see <see cref="Error.MayHaveActed"/>, its
/// counterpart when the answer is lost while the caller still waits).
/// </summary>
public sealed class UpstreamRequestInterruptedException : OperationCanceledException
{
    public UpstreamRequestInterruptedException()
        : base("The call was cancelled while an upstream request was in flight; the upstream may have acted.")
    {
    }

    public UpstreamRequestInterruptedException(string message)
        : base(message)
    {
    }

    public UpstreamRequestInterruptedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UpstreamRequestInterruptedException(string upstream, Exception innerException, CancellationToken cancellationToken)
        : base($"The call was cancelled while a request to {upstream} was in flight; {upstream} may have acted.", innerException, cancellationToken)
    {
        Upstream = upstream;
    }

    /// <summary>The upstream the interrupted request went to, e.g. <c>sumsub</c>.</summary>
    public string? Upstream { get; }
}
