namespace IdentitySharing.Application.Ports;

/// <summary>
/// Who is calling, as the transport authenticated them: the configured caller name
/// (<c>Auth:Callers:&lt;name&gt;</c>), or <see cref="Anonymous"/> when anonymous callers are allowed.
/// Idempotency records and the audit ledger are keyed and labelled by it.
/// </summary>
public interface ICallerContext
{
    public const string Anonymous = "anonymous";

    /// <summary>The authenticated caller's configured name.</summary>
    string CallerName { get; }

    /// <summary>The RPC being served, e.g. <c>ImportApplicant</c>.</summary>
    string RpcName { get; }

    /// <summary>
    /// Whether the call's gRPC deadline has fired: the transport's own verdict, the one that answers
    /// the caller DEADLINE_EXCEEDED, so what is recorded agrees with what the caller was told.
    /// </summary>
    bool DeadlineExceeded => false;
}
