using IdentitySharing.Application.Audit;
using IdentitySharing.Application.Common;
using MediatR;
using Microsoft.Extensions.Logging;

namespace IdentitySharing.Application.ListShareEvents;

/// <summary>Keyset pagination over the ledger: one extra row tells whether another page follows.</summary>
public sealed partial class ListShareEventsHandler(IShareLedger ledger, ILogger<ListShareEventsHandler> logger) : IRequestHandler<ListShareEventsQuery, Result<ShareEventPage>>
{
    public const string LedgerUnavailable = "LEDGER_UNAVAILABLE";

    public async Task<Result<ShareEventPage>> Handle(ListShareEventsQuery request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var filter = request.Filter;
        var after = string.IsNullOrEmpty(request.PageToken) ? null : PageToken.TryDecode(request.PageToken, filter);
        var pageSize = request.EffectivePageSize;
        IReadOnlyList<ShareEvent> events;
        try
        {
            events = await ledger.ListAsync(filter, after, pageSize + 1, cancellationToken).ConfigureAwait(false);
        }
        // Not only DbException: opening the SQLite file (IOException, UnauthorizedAccessException),
        // a migration (InvalidOperationException) or a ledger disposed at shutdown
        // (ObjectDisposedException) fail the read just as well. Cancellation stays cancellation.
        catch (Exception exception) when (exception is not (OperationCanceledException or OutOfMemoryException))
        {
            LedgerReadFailed(logger, exception.GetType().FullName);
            return new Error(ErrorKind.Unavailable, LedgerUnavailable, "The audit ledger is unavailable") { RetryAfter = TimeSpan.FromSeconds(1) };
        }
        if (events.Count <= pageSize)
        {
            return new ShareEventPage(events, null);
        }
        var page = events.Take(pageSize).ToArray();
        return new ShareEventPage(page, PageToken.Encode(page[^1], filter));
    }

    // The exception's type only: its message may hold a file path or a query's values.
    [LoggerMessage(EventId = 31, Level = LogLevel.Error, Message = "ListShareEvents: the audit ledger could not be read ({ExceptionType})")]
    private static partial void LedgerReadFailed(ILogger logger, string? exceptionType);
}
