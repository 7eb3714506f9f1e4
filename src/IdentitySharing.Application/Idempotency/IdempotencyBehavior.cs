using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using MediatR;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentitySharing.Application.Idempotency;

/// <summary>
/// AIP-155 idempotency for a mutating command with a <c>request_id</c>: the first request under
/// a key (caller + RPC + request_id) runs; a retry gets the stored outcome without reaching the
/// handler (so no upstream call); concurrent duplicates wait for the first and get its outcome;
/// the same key with a different request is <see cref="ErrorKind.IdempotencyMismatch"/>.
/// <para>
/// Runs after validation (an invalid request never claims a key) and outside the audit
/// behavior (a replay is not a new share action, so it is not recorded again).
/// </para>
/// <para>
/// Which outcomes are stored: successes and <em>terminal</em> failures, those a repeat would
/// only reproduce (<see cref="ErrorKind.Validation"/> from an upstream such as a Banxa 422,
/// <see cref="ErrorKind.NotFound"/>, <see cref="ErrorKind.FailedPrecondition"/>). Transient
/// failures (<see cref="ErrorKind.Unavailable"/>, <see cref="ErrorKind.RateLimited"/>,
/// <see cref="ErrorKind.DeadlineExceeded"/>) and exceptions release the claim instead: the
/// caller was told to retry, and a stored failure would turn every retry into the same failure.
/// So do rejections of our own credentials (<see cref="ErrorKind.UpstreamCredentials"/>): the
/// upstream did nothing, and some are passing (a Banxa nonce reused by another replica, clock
/// skew), while a fixed configuration must not keep failing the same request_id for the whole
/// retention period.
/// </para>
/// <para>
/// The outcome is stored <em>before</em> the response leaves: if the response is then lost,
/// the retry finds it. Storing ignores the caller's cancellation for the same reason: an
/// upstream action that happened must be remembered even when the caller has gone. If storing
/// fails the outcome is still returned (the upstream action happened; failing the call would
/// misreport it) and logged; the pending claim then expires and a later retry runs again.
/// </para>
/// <para>
/// An outcome that is <see cref="Error.MayHaveActed"/> (the upstream got the request, its answer
/// was lost), or an <see cref="UpstreamRequestInterruptedException"/> (the caller's deadline cut
/// off a request the upstream may have received), is neither stored nor released: storing it would answer "unknown" for the whole
/// retention period although a retry could find out, and releasing it would let a retry repeat
/// the action blindly. The claim is abandoned instead, so the retry takes it over at once, like
/// the claim of a crashed host once it expires; either way the new attempt's
/// <see cref="IdempotentAttempt.PriorAttemptStartedAt"/> tells the handler to reconcile first.
/// </para>
/// </summary>
public sealed partial class IdempotencyBehavior<TRequest, TValue>(
    IIdempotencyStore store,
    ICallerContext caller,
    IOutcomeCodec<TValue> codec,
    RequestFingerprinter fingerprinter,
    KeyedAsyncLock locks,
    IdempotentAttempt attempt,
    IOptions<IdempotencyOptions> options,
    TimeProvider time,
    ILogger<IdempotencyBehavior<TRequest, TValue>> logger)
    : IPipelineBehavior<TRequest, Result<TValue>>
    where TRequest : IIdempotentCommand
{
    public const string RequestIdReused = "REQUEST_ID_REUSED";
    public const string StoreUnavailable = "IDEMPOTENCY_STORE_UNAVAILABLE";

    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(500);

    private readonly IdempotencyOptions _options = options.Value;

    public async Task<Result<TValue>> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<Result<TValue>> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (string.IsNullOrEmpty(request.RequestId))
        {
            return await next().ConfigureAwait(false);
        }
        var key = new IdempotencyKey(caller.CallerName, caller.RpcName, request.RequestId);
        var fingerprint = fingerprinter.Of(request);

        using var held = await locks.AcquireAsync(key.Composite, cancellationToken).ConfigureAwait(false);
        var poll = FirstPoll;
        while (true)
        {
            var now = time.GetUtcNow();
            IdempotencyClaim claim;
            try
            {
                claim = await store.TryClaimAsync(key, fingerprint, now, now + _options.ClaimTimeout, now + _options.Retention, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException and not OutOfMemoryException)
            {
                // Without the store a duplicate could run twice: refuse rather than act unguarded.
                IdempotencyLog.ClaimFailed(logger, key.Rpc, key.Caller, exception.GetType().FullName);
                return new Error(ErrorKind.Unavailable, StoreUnavailable, "The idempotency store is unavailable; retry with the same request_id")
                {
                    RetryAfter = TimeSpan.FromSeconds(1),
                };
            }
            switch (claim.State)
            {
                case IdempotencyClaimState.Acquired:
                    if (claim.PriorAttemptStartedAt is { } priorAttemptStartedAt)
                    {
                        IdempotencyLog.TakenOver(logger, key.Rpc, key.Caller);
                        attempt.PriorAttemptStartedAt = priorAttemptStartedAt;
                    }
                    return await RunAndStoreAsync(key, claim.ClaimToken!, next).ConfigureAwait(false);
                case IdempotencyClaimState.Completed:
                    IdempotencyLog.Replayed(logger, key.Rpc, key.Caller);
                    return codec.Decode(claim.Outcome!);
                case IdempotencyClaimState.Mismatch:
                    return new Error(ErrorKind.IdempotencyMismatch, RequestIdReused,
                        "request_id was already used with a different request; use a new request_id for a new request");
                default:
                    // Another replica runs it: wait for its outcome, or for its claim to expire.
                    await Task.Delay(poll, time, cancellationToken).ConfigureAwait(false);
                    poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, LongestPoll.Ticks));
                    break;
            }
        }
    }

    /// <summary>Whether an outcome is replayed to retries (see the class remarks).</summary>
    public static bool IsStored(Result<TValue> outcome) =>
        outcome.Error is null || outcome.Error.Kind is ErrorKind.Validation or ErrorKind.NotFound
            or ErrorKind.FailedPrecondition;

    private async Task<Result<TValue>> RunAndStoreAsync(IdempotencyKey key, string claimToken, RequestHandlerDelegate<Result<TValue>> next)
    {
        Result<TValue> outcome;
        try
        {
            outcome = await RunRenewingClaimAsync(key, claimToken, next).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is UpstreamRequestInterruptedException || MayHaveActedBefore())
        {
            // Cut off mid-request by the caller's deadline, or failing after an upstream action
            // that may have happened (an answer lost, an earlier attempt's outcome never stored):
            // releasing would make the retry act blindly, so it must reconcile instead.
            await AbandonAsync(key, claimToken).ConfigureAwait(false);
            throw;
        }
        catch
        {
            await ReleaseAsync(key, claimToken).ConfigureAwait(false);
            throw;
        }

        if (outcome.Error is { MayHaveActed: true } || (outcome.Error is not null && !IsStored(outcome) && MayHaveActedBefore()))
        {
            await AbandonAsync(key, claimToken).ConfigureAwait(false);
            return outcome;
        }
        if (!IsStored(outcome))
        {
            await ReleaseAsync(key, claimToken).ConfigureAwait(false);
            return outcome;
        }
        try
        {
            var expiresAt = time.GetUtcNow() + _options.Retention;
            if (!await store.CompleteAsync(key, claimToken, codec.Encode(outcome), expiresAt, CancellationToken.None).ConfigureAwait(false))
            {
                IdempotencyLog.ClaimLost(logger, key.Rpc, key.Caller);
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            IdempotencyLog.StoreFailed(logger, key.Rpc, key.Caller, exception.GetType().FullName);
        }
        return outcome;
    }

    /// <summary>Whether this attempt, or an earlier one under the same key, may already have acted upstream.</summary>
    private bool MayHaveActedBefore() => attempt.MayHaveActed || attempt.PriorAttemptStartedAt is not null;

    private async Task AbandonAsync(IdempotencyKey key, string claimToken)
    {
        try
        {
            await store.AbandonAsync(key, claimToken, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The claim then expires by itself after ClaimTimeout, and the retry reconciles just the same.
            IdempotencyLog.ReleaseFailed(logger, key.Rpc, key.Caller, exception.GetType().FullName);
        }
    }

    private async Task ReleaseAsync(IdempotencyKey key, string claimToken)
    {
        try
        {
            await store.ReleaseAsync(key, claimToken, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The claim then expires by itself after ClaimTimeout.
            IdempotencyLog.ReleaseFailed(logger, key.Rpc, key.Caller, exception.GetType().FullName);
        }
    }

    /// <summary>
    /// Runs the handler while renewing the claim every third of <see cref="IdempotencyOptions.ClaimTimeout"/>
    /// (to now + ClaimTimeout), so a request that runs longer than the claim timeout is not taken
    /// over and run again by another replica. Renewal has stopped, any renewal in flight included,
    /// when this returns: the claim is completed, released or abandoned only after.
    /// </summary>
    private async Task<Result<TValue>> RunRenewingClaimAsync(IdempotencyKey key, string claimToken, RequestHandlerDelegate<Result<TValue>> next)
    {
        using var stop = new CancellationTokenSource();
        var renewing = RenewClaimAsync(key, claimToken, stop.Token);
        try
        {
            return await next().ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
        }
    }

    /// <summary>Renews until <paramref name="stop"/>, or until the claim turns out gone; never throws.</summary>
    private async Task RenewClaimAsync(IdempotencyKey key, string claimToken, CancellationToken stop)
    {
        // At most 30 days between renewals: a timer cannot wait much longer (an absurd ClaimTimeout must not fail the request).
        var interval = TimeSpan.FromTicks(Math.Min(_options.ClaimTimeout.Ticks / 3, TimeSpan.FromDays(30).Ticks));
        while (true)
        {
            try
            {
                await Task.Delay(interval, time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var now = time.GetUtcNow();
            try
            {
                // Not cancelled by stop: a renewal in flight finishes before the claim is completed.
                if (!await store.RenewAsync(key, claimToken, now, now + _options.ClaimTimeout, CancellationToken.None).ConfigureAwait(false))
                {
                    IdempotencyLog.RenewalLost(logger, key.Rpc, key.Caller);
                    return;
                }
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The claim still holds for the rest of its timeout: the next renewal may get through.
                IdempotencyLog.RenewalFailed(logger, key.Rpc, key.Caller, exception.GetType().FullName);
            }
        }
    }
}

// Never the request id's value next to personal data; never an outcome (it may hold a share token).
internal static partial class IdempotencyLog
{
    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "{Rpc} from {Caller}: replayed the stored outcome of an earlier request with the same request_id")]
    public static partial void Replayed(ILogger logger, string rpc, string caller);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "{Rpc} from {Caller}: the idempotency claim expired before the outcome was stored; a duplicate may have run")]
    public static partial void ClaimLost(ILogger logger, string rpc, string caller);

    [LoggerMessage(EventId = 22, Level = LogLevel.Error, Message = "{Rpc} from {Caller}: the idempotency store failed ({ExceptionType}); the outcome is returned but not stored")]
    public static partial void StoreFailed(ILogger logger, string rpc, string caller, string? exceptionType);

    [LoggerMessage(EventId = 24, Level = LogLevel.Error, Message = "{Rpc} from {Caller}: the idempotency store failed ({ExceptionType}); the request was refused unrun")]
    public static partial void ClaimFailed(ILogger logger, string rpc, string caller, string? exceptionType);

    [LoggerMessage(EventId = 25, Level = LogLevel.Warning, Message = "{Rpc} from {Caller}: took over the claim of an earlier attempt that stored no outcome; it may have acted upstream")]
    public static partial void TakenOver(ILogger logger, string rpc, string caller);

    [LoggerMessage(EventId = 26, Level = LogLevel.Warning, Message = "{Rpc} from {Caller}: the idempotency claim could not be renewed: it is no longer this request's (expired and taken over, or ended); a duplicate may run")]
    public static partial void RenewalLost(ILogger logger, string rpc, string caller);

    [LoggerMessage(EventId = 27, Level = LogLevel.Warning, Message = "{Rpc} from {Caller}: renewing the idempotency claim failed ({ExceptionType}); retrying at the next renewal")]
    public static partial void RenewalFailed(ILogger logger, string rpc, string caller, string? exceptionType);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "{Rpc} from {Caller}: releasing the idempotency claim failed ({ExceptionType}); retries wait until it expires")]
    public static partial void ReleaseFailed(ILogger logger, string rpc, string caller, string? exceptionType);
}
