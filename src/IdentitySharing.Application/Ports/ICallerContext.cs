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

    /// <summary>When the caller stops waiting (its gRPC deadline); null when it set none.</summary>
    DateTimeOffset? Deadline => null;
}
