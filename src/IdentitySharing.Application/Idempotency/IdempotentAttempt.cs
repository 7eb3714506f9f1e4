namespace IdentitySharing.Application.Idempotency;

/// <summary>
/// What <see cref="IdempotencyBehavior{TRequest,TValue}"/> learned about earlier attempts of the
/// request being handled, for handlers whose upstream action must not be repeated blindly (an
/// import spends a single-use share token). One per call: registered scoped, written by the
/// behavior before the handler runs.
/// </summary>
public sealed class IdempotentAttempt
{
    /// <summary>
    /// Null for a first attempt (or a request without request_id). Otherwise an earlier attempt
    /// with the same request_id claimed it at this time and never stored an outcome — its host
    /// died or its outcome was unknown — so it may have acted upstream after this time.
    /// </summary>
    public DateTimeOffset? PriorAttemptStartedAt { get; set; }

    /// <summary>
    /// Set by the handler once its upstream action may have happened although it has no result
    /// for it (the answer was lost). From then on a failure keeps the claim (abandons it) rather
    /// than releasing it, even a plain cancellation while the handler looks the result up, so
    /// that the retry reconciles instead of repeating the action.
    /// </summary>
    public bool MayHaveActed { get; set; }
}
