using IdentitySharing.Application.Common;
using IdentitySharing.Application.Idempotency;
using IdentitySharing.Application.Ports;
using MediatR;
using Microsoft.Extensions.Logging;

namespace IdentitySharing.Application.Audit;

/// <summary>
/// Records one ledger event per share action that ran: success or failure, including an
/// exception or cancellation (the upstream may have acted). Sits inside the idempotency
/// behavior, so a replayed outcome is not recorded again (it is not a new action), while a
/// retry after a transient failure is (it calls the upstream again). Requests that fail
/// validation never reach it: they are not share actions.
/// <para>
/// The record is written even when the caller has gone (the action happened). If the ledger
/// cannot be written the outcome is still returned and the failure logged: failing the call
/// would tell the caller an action that happened did not.
/// </para>
/// </summary>
public sealed partial class AuditBehavior<TRequest, TValue>(
    IShareLedger ledger,
    IShareActionDescriber<TRequest, TValue> describer,
    ICallerContext caller,
    TimeProvider time,
    ILogger<AuditBehavior<TRequest, TValue>> logger)
    : IPipelineBehavior<TRequest, Result<TValue>>
    where TRequest : IIdempotentCommand
{
    public async Task<Result<TValue>> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<Result<TValue>> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        Result<TValue> outcome;
        try
        {
            outcome = await next().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            await RecordAsync(request, null, OutcomeOf(exception), null, null).ConfigureAwait(false);
            throw;
        }
        var error = outcome.Error;
        await RecordAsync(request, outcome, error is null ? ShareEvent.OutcomeOk : error.Kind.ToString(), error?.Reason, error?.Upstream?.CorrelationId)
            .ConfigureAwait(false);
        return outcome;
    }

    /// <summary>A cancellation once the caller's deadline has passed is what the caller was told: DEADLINE_EXCEEDED.</summary>
    private string OutcomeOf(Exception exception) => exception switch
    {
        OperationCanceledException when caller.DeadlineExceeded => nameof(ErrorKind.DeadlineExceeded),
        OperationCanceledException => ShareEvent.OutcomeCancelled,
        _ => ShareEvent.OutcomeException,
    };

    private async Task RecordAsync(TRequest request, Result<TValue>? outcome, string result, string? reason, string? correlationId)
    {
        var subject = describer.Describe(request, outcome);
        // The ledger replaces the time with its commit time (see ShareEvent.OccurredAt).
        var shareEvent = new ShareEvent(
            0,
            time.GetUtcNow(),
            caller.CallerName,
            caller.RpcName,
            subject.Account,
            subject.ApplicantId,
            subject.Recipient,
            result,
            reason,
            correlationId,
            string.IsNullOrEmpty(request.RequestId) ? null : request.RequestId);
        try
        {
            await ledger.RecordAsync(shareEvent, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            AuditLog.NotRecorded(logger, shareEvent.Rpc, shareEvent.Caller, shareEvent.Outcome, exception.GetType().FullName);
        }
    }
}

internal static partial class AuditLog
{
    [LoggerMessage(EventId = 30, Level = LogLevel.Error, Message = "{Rpc} from {Caller} ended {Outcome} but the audit ledger could not record it ({ExceptionType})")]
    public static partial void NotRecorded(ILogger logger, string rpc, string caller, string outcome, string? exceptionType);
}
