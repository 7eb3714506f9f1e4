namespace IdentitySharing.Application.Audit;

/// <summary>
/// One share action as the audit ledger keeps it. Never a share token, email or phone number.
/// </summary>
/// <param name="Id">Assigned by the ledger when recorded (0 before); orders events recorded at the same instant.</param>
/// <param name="OccurredAt">
/// When the action was recorded: set by the ledger when it commits the event (whatever the
/// recorded event held), so that within one process ledger order, (OccurredAt, Id), is commit
/// order and paging never skips an event that commits late.
/// </param>
/// <param name="Caller">The authenticated caller's configured name.</param>
/// <param name="Rpc">The RPC, e.g. <c>ImportApplicant</c>.</param>
/// <param name="Account">The Sumsub account acted for, when it was resolved.</param>
/// <param name="ApplicantId">The applicant shared; for an import, the applicant it created.</param>
/// <param name="Recipient">Who received it: the <c>for_client_id</c>, Banxa's identity reference, or for an import our own client id.</param>
/// <param name="Outcome"><see cref="OutcomeOk"/>, an <c>ErrorKind</c> name (<c>DeadlineExceeded</c> also when the call was cut off by its deadline), or <see cref="OutcomeCancelled"/> (the caller cancelled) / <see cref="OutcomeException"/>.</param>
/// <param name="ErrorReason">The error's reason (e.g. <c>SHARE_TOKEN_REJECTED</c>) on failure.</param>
/// <param name="UpstreamCorrelationId">The upstream's correlation id, when it gave one.</param>
/// <param name="RequestId">The caller's idempotency key, when sent.</param>
public sealed record ShareEvent(
    long Id,
    DateTimeOffset OccurredAt,
    string Caller,
    string Rpc,
    string? Account,
    string? ApplicantId,
    string? Recipient,
    string Outcome,
    string? ErrorReason,
    string? UpstreamCorrelationId,
    string? RequestId)
{
    public const string OutcomeOk = "OK";
    public const string OutcomeCancelled = "Cancelled";
    public const string OutcomeException = "Exception";
}

/// <summary>Which events to list; null filters match everything. <see cref="StartTime"/> inclusive, <see cref="EndTime"/> exclusive.</summary>
public sealed record ShareEventFilter(
    string? ApplicantId,
    string? Recipient,
    string? Caller,
    DateTimeOffset? StartTime,
    DateTimeOffset? EndTime);

/// <summary>Where a page starts: after the event at (<paramref name="OccurredAt"/>, <paramref name="Id"/>) in ledger order.</summary>
public sealed record ShareEventCursor(DateTimeOffset OccurredAt, long Id);

/// <summary>The audit ledger: append-only, listed oldest first by (occurred_at, id).</summary>
public interface IShareLedger
{
    /// <summary>Appends one event (its <see cref="ShareEvent.Id"/> and <see cref="ShareEvent.OccurredAt"/> are ignored: the ledger assigns both as it commits it).</summary>
    Task RecordAsync(ShareEvent shareEvent, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> events matching <paramref name="filter"/> after <paramref name="after"/> (null = from the start), oldest first.</summary>
    Task<IReadOnlyList<ShareEvent>> ListAsync(ShareEventFilter filter, ShareEventCursor? after, int limit, CancellationToken cancellationToken);
}
