using IdentitySharing.Application.Audit;
using IdentitySharing.Application.Common;
using MediatR;

namespace IdentitySharing.Application.ListShareEvents;

/// <summary>Keyset pagination over the ledger: one extra row tells whether another page follows.</summary>
public sealed class ListShareEventsHandler(IShareLedger ledger) : IRequestHandler<ListShareEventsQuery, Result<ShareEventPage>>
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
        catch (System.Data.Common.DbException)
        {
            return new Error(ErrorKind.Unavailable, LedgerUnavailable, "The audit ledger is unavailable") { RetryAfter = TimeSpan.FromSeconds(1) };
        }
        if (events.Count <= pageSize)
        {
            return new ShareEventPage(events, null);
        }
        var page = events.Take(pageSize).ToArray();
        return new ShareEventPage(page, PageToken.Encode(page[^1], filter));
    }
}
