namespace IdentitySharing.Application.Idempotency;

/// <summary>Whose request this is: the same <see cref="RequestId"/> from another caller or RPC is another request.</summary>
public sealed record IdempotencyKey(string Caller, string Rpc, string RequestId)
{
    /// <summary>One string per key, for in-process locking. Caller names and RPC names hold no newline.</summary>
    public string Composite => string.Join('\n', Caller, Rpc, RequestId);
}

/// <summary>What <see cref="IIdempotencyStore.TryClaimAsync"/> found.</summary>
public enum IdempotencyClaimState
{
    /// <summary>
    /// This caller now owns the key and must run the request, then complete, release or abandon the claim.
    /// <see cref="IdempotencyClaim.PriorAttemptStartedAt"/> says whether an earlier attempt held it.
    /// </summary>
    Acquired,
    /// <summary>The request ran before: <see cref="IdempotencyClaim.Outcome"/> holds the stored outcome.</summary>
    Completed,
    /// <summary>Another caller (perhaps on another replica) holds a live claim: wait and ask again.</summary>
    InProgress,
    /// <summary>The key was used with a different request (fingerprint).</summary>
    Mismatch,
}

/// <param name="State">What the store found.</param>
/// <param name="ClaimToken">With <see cref="IdempotencyClaimState.Acquired"/>: proves ownership when completing or releasing.</param>
/// <param name="Outcome">With <see cref="IdempotencyClaimState.Completed"/>: the stored outcome, as encoded by an <see cref="IOutcomeCodec{TValue}"/>.</param>
/// <param name="PriorAttemptStartedAt">
/// With <see cref="IdempotencyClaimState.Acquired"/>: null for a fresh key; otherwise the claim was
/// taken over from an earlier attempt that never stored an outcome (its process died, or it
/// abandoned the claim because its outcome was unknown), and this is when that first attempt
/// claimed the key. That attempt may have acted upstream.
/// </param>
public readonly record struct IdempotencyClaim(IdempotencyClaimState State, string? ClaimToken = null, string? Outcome = null, DateTimeOffset? PriorAttemptStartedAt = null)
{
    public static IdempotencyClaim Acquired(string claimToken, DateTimeOffset? priorAttemptStartedAt = null) =>
        new(IdempotencyClaimState.Acquired, ClaimToken: claimToken, PriorAttemptStartedAt: priorAttemptStartedAt);

    public static IdempotencyClaim Completed(string outcome) => new(IdempotencyClaimState.Completed, Outcome: outcome);

    public static readonly IdempotencyClaim InProgress = new(IdempotencyClaimState.InProgress);

    public static readonly IdempotencyClaim Mismatch = new(IdempotencyClaimState.Mismatch);
}

/// <summary>
/// Durable idempotency records shared by every replica. Each key is one row: a <em>pending</em>
/// claim while the first request runs, then its <em>completed</em> outcome until it expires.
/// <para>
/// Claim protocol: <see cref="TryClaimAsync"/> inserts a pending row if none exists (an atomic
/// insert-if-absent, so exactly one replica wins); a pending row whose claim has expired (its
/// owner crashed or hung) is taken over atomically by whoever asks first; losers poll. The
/// owner renews its claim with <see cref="RenewAsync"/> while the request runs (so only an owner that
/// stopped renewing, having crashed or hung, loses it), then stores the outcome with <see cref="CompleteAsync"/>, deletes its claim with
/// <see cref="ReleaseAsync"/> so a retry runs the request afresh, or — when the upstream may have
/// acted but the outcome is unknown — ends it with <see cref="AbandonAsync"/>, so the retry takes
/// the claim over at once and is told (<see cref="IdempotencyClaim.PriorAttemptStartedAt"/>) to
/// find out what happened before acting again. A crashed owner's claim ends the same way, only
/// later (when it expires). The row keeps the first attempt's start throughout.
/// </para>
/// Completed rows hold the outcomes as the caller received them, share tokens included
/// (replaying a minted token is the point), until <see cref="DeleteExpiredAsync"/> removes them.
/// </summary>
public interface IIdempotencyStore
{
    /// <param name="key">The request's key.</param>
    /// <param name="fingerprint">
    /// The request's fingerprint: its <see cref="RequestFingerprint.Value"/> is stored with a new
    /// row; a stored one that it does not <see cref="RequestFingerprint.Matches"/> is a
    /// <see cref="IdempotencyClaimState.Mismatch"/>, unless it was made under another key
    /// (<see cref="RequestFingerprint.IsUnderAnotherKey"/>): whether it is the same request
    /// cannot be told then, and the store throws rather than answer either way.
    /// </param>
    /// <param name="now">The current time: claims and records that ended before it count as gone.</param>
    /// <param name="claimUntil">When a new claim expires if its owner never completes it.</param>
    /// <param name="expiresAt">When a new row may be deleted.</param>
    /// <param name="cancellationToken">Ends the call.</param>
    Task<IdempotencyClaim> TryClaimAsync(IdempotencyKey key, RequestFingerprint fingerprint, DateTimeOffset now, DateTimeOffset claimUntil, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Stores the outcome under a claim this caller holds. False when the claim was lost (it expired and another caller took it over).</summary>
    Task<bool> CompleteAsync(IdempotencyKey key, string claimToken, string outcome, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Extends a live pending claim this caller holds to <paramref name="claimUntil"/>, so that a
    /// request running longer than the claim timeout keeps it: one atomic update conditioned on
    /// <paramref name="claimToken"/>. False when the claim is no longer this caller's to extend:
    /// completed, released, abandoned, expired (at <paramref name="now"/>) or taken over.
    /// </summary>
    Task<bool> RenewAsync(IdempotencyKey key, string claimToken, DateTimeOffset now, DateTimeOffset claimUntil, CancellationToken cancellationToken);

    /// <summary>Deletes a pending claim this caller holds, so the next attempt runs the request again.</summary>
    Task ReleaseAsync(IdempotencyKey key, string claimToken, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a pending claim this caller holds without storing an outcome, but keeps the row:
    /// the next attempt takes it over at once, as from a crashed owner, and learns that an
    /// earlier attempt may have acted.
    /// </summary>
    Task AbandonAsync(IdempotencyKey key, string claimToken, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes expired rows (never a live claim); returns how many.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
