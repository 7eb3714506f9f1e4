using IdentitySharing.Application.Audit;
using IdentitySharing.Application.Common;
using MediatR;

namespace IdentitySharing.Application.ListShareEvents;

/// <summary>
/// Lists the audit ledger's share events, oldest first. Empty filters match everything.
/// </summary>
/// <param name="ApplicantId">Only events about this applicant.</param>
/// <param name="Recipient">Only events shared with this recipient (client id or Banxa identity reference).</param>
/// <param name="Caller">Only events by this caller.</param>
/// <param name="StartTime">Only events at or after this instant.</param>
/// <param name="EndTime">Only events before this instant.</param>
/// <param name="PageSize">1-<see cref="MaxPageSize"/>; 0 = <see cref="DefaultPageSize"/>.</param>
/// <param name="PageToken">A previous page's <see cref="ShareEventPage.NextPageToken"/>, for the same filters; empty = the first page.</param>
public sealed record ListShareEventsQuery(
    string? ApplicantId,
    string? Recipient,
    string? Caller,
    ProtoInstant? StartTime,
    ProtoInstant? EndTime,
    int PageSize,
    string? PageToken) : IRequest<Result<ShareEventPage>>
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    /// <summary>The filters, for a query whose instants the validator accepted.</summary>
    public ShareEventFilter Filter => new(
        NullIfEmpty(ApplicantId),
        NullIfEmpty(Recipient),
        NullIfEmpty(Caller),
        StartTime?.ToDateTimeOffset(),
        EndTime?.ToDateTimeOffset());

    public int EffectivePageSize => PageSize == 0 ? DefaultPageSize : PageSize;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>One page of events and the token for the next one (null on the last page).</summary>
public sealed record ShareEventPage(IReadOnlyList<ShareEvent> Events, string? NextPageToken);

/// <summary>An instant as <c>google.protobuf.Timestamp</c> carries it, unchecked until validated.</summary>
public readonly record struct ProtoInstant(long Seconds, int Nanos)
{
    private static readonly long MinSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>The violation, or null when the instant is a valid Timestamp (0001-01-01 to 9999-12-31, nanos 0-999,999,999).</summary>
    public string? Validate() =>
        Seconds < MinSeconds || Seconds > MaxSeconds || Nanos is < 0 or > 999_999_999
            ? "must be a valid timestamp between 0001-01-01 and 9999-12-31"
            : null;

    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.FromUnixTimeSeconds(Seconds).AddTicks(Nanos / 100);
}
