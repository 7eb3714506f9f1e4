using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace IdentitySharing.Application.Common;

/// <summary>
/// The service's own trace source and meter, one name for both, and the counters the layers
/// increment. The host subscribes to <see cref="Name"/> when exporting; with no exporter the
/// instruments cost next to nothing.
/// </summary>
public static class IdentitySharingTelemetry
{
    public const string Name = "IdentitySharing";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>
    /// A retried request answered from its stored outcome instead of calling the upstream again.
    /// Tag with <c>rpc.method</c>.
    /// </summary>
    public static readonly Counter<long> IdempotencyReplays = Meter.CreateCounter<long>(
        "identitysharing.idempotency.replays", "{request}", "Requests answered from a stored outcome (same caller, RPC and request_id).");

    /// <summary>An audit ledger entry written. Tag with <c>rpc.method</c> and <c>identitysharing.outcome</c>.</summary>
    public static readonly Counter<long> LedgerWrites = Meter.CreateCounter<long>(
        "identitysharing.ledger.writes", "{entry}", "Audit ledger entries written.");
}
