using IdentitySharing.Application.Audit;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.ListShareEvents;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace IdentitySharing.Application.Tests.Audit;

public sealed class ListShareEventsTests : IDisposable
{
    private static readonly ShareEventFilter AnyEvent = new(null, null, null, null, null);
    private readonly App _app = new();

    public void Dispose() => _app.Dispose();

    private static ShareEvent Event(long id) =>
        new(id, App.Now.AddSeconds(id), "billing", "GenerateShareToken", "main", "abc", "partner", "OK", null, null, null);

    private static ListShareEventsQuery Query(int pageSize = 0, string? pageToken = null, string? applicantId = null) =>
        new(applicantId, null, null, null, null, pageSize, pageToken);

    [Fact]
    public async Task A_full_page_asks_for_one_more_event_and_returns_a_token_for_the_rest()
    {
        _app.Ledger.ListAsync(default!, default, default, Arg.Any<CancellationToken>()).ReturnsForAnyArgs([Event(1), Event(2), Event(3)]);

        var page = (await _app.Send(Query(pageSize: 2))).Value;

        await _app.Ledger.Received(1).ListAsync(AnyEvent, null, 3, Arg.Any<CancellationToken>());
        page.Events.Select(e => e.Id).Should().Equal(1, 2);
        PageToken.TryDecode(page.NextPageToken!, AnyEvent).Should().Be(new ShareEventCursor(Event(2).OccurredAt, 2));
    }

    [Fact]
    public async Task The_last_page_has_no_token_and_page_size_zero_means_one_hundred()
    {
        _app.Ledger.ListAsync(default!, default, default, Arg.Any<CancellationToken>()).ReturnsForAnyArgs([Event(1)]);

        var page = (await _app.Send(Query())).Value;

        await _app.Ledger.Received(1).ListAsync(AnyEvent, null, ListShareEventsQuery.DefaultPageSize + 1, Arg.Any<CancellationToken>());
        page.NextPageToken.Should().BeNull();
    }

    [Fact]
    public async Task A_page_token_continues_after_the_event_it_names()
    {
        var token = PageToken.Encode(Event(7), AnyEvent);
        _app.Ledger.ListAsync(default!, default, default, Arg.Any<CancellationToken>()).ReturnsForAnyArgs([]);

        await _app.Send(Query(pageToken: token));

        await _app.Ledger.Received(1).ListAsync(AnyEvent, new ShareEventCursor(Event(7).OccurredAt, 7), Arg.Any<int>(), Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("djEuMS4yLjM")] // "v1.1.2.3": well-formed, wrong filter hash
    [InlineData("")]
    public async Task A_token_from_elsewhere_is_a_page_token_violation(string suffix)
    {
        var foreign = suffix.Length > 0 ? suffix : PageToken.Encode(Event(1), AnyEvent with { Caller = "other" });

        var result = await _app.Send(Query(pageToken: foreign));

        result.ValidationViolations().Should().ContainSingle().Which.Field.Should().Be("page_token");
        await _app.Ledger.DidNotReceiveWithAnyArgs().ListAsync(default!, default, default, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task An_unreachable_ledger_is_unavailable()
    {
        _app.Ledger.ListAsync(default!, default, default, Arg.Any<CancellationToken>()).ThrowsAsyncForAnyArgs(new FakeDbException());

        var result = await _app.Send(Query());

        result.Error!.Kind.Should().Be(ErrorKind.Unavailable);
        result.Error.Reason.Should().Be("LEDGER_UNAVAILABLE");
    }

    public static TheoryData<Exception> StorageFailures => new()
    {
        new IOException("unable to open database file"),
        new UnauthorizedAccessException("access denied"),
        new InvalidOperationException("migration failed"),
        new ObjectDisposedException("SqlShareLedger"),
    };

    [Theory]
    [MemberData(nameof(StorageFailures))]
    public async Task Any_storage_failure_of_the_ledger_read_is_unavailable_like_a_database_error(Exception failure)
    {
        _app.Ledger.ListAsync(default!, default, default, Arg.Any<CancellationToken>()).ThrowsAsyncForAnyArgs(failure);

        var result = await _app.Send(Query());

        result.Error!.Kind.Should().Be(ErrorKind.Unavailable);
        result.Error.Reason.Should().Be(ListShareEventsHandler.LedgerUnavailable);
        result.Error.RetryAfter.Should().Be(TimeSpan.FromSeconds(1));
        result.Error.Upstream.Should().BeNull();
        result.Error.Message.Should().NotContain(failure.Message);
        _app.Logs.Entries.Should().Contain(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Text.Contains(failure.GetType().FullName!))
            .And.NotContain(e => e.Text.Contains(failure.Message));
    }

    [Fact]
    public async Task A_cancelled_ledger_read_stays_cancelled()
    {
        _app.Ledger.ListAsync(default!, default, default, Arg.Any<CancellationToken>()).ThrowsAsyncForAnyArgs(new OperationCanceledException());

        await FluentActions.Awaiting(() => _app.Send(Query())).Should().ThrowAsync<OperationCanceledException>();
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1001)]
    public async Task Page_sizes_outside_zero_to_a_thousand_are_rejected(int pageSize)
    {
        (await _app.Send(Query(pageSize: pageSize))).ValidationViolations().Should().ContainSingle().Which.Field.Should().Be("page_size");
    }

    [Fact]
    public async Task Times_must_be_valid_timestamps_in_order()
    {
        var late = new ProtoInstant(2_000_000_000, 0);
        var early = new ProtoInstant(1_000_000_000, 0);

        (await _app.Send(new ListShareEventsQuery(null, null, null, late, early, 0, null))).ValidationViolations()
            .Should().ContainSingle().Which.Field.Should().Be("end_time");
        (await _app.Send(new ListShareEventsQuery(null, null, null, new ProtoInstant(1, 1_000_000_000), new ProtoInstant(long.MaxValue, 0), 0, null)))
            .ValidationViolations().Select(v => v.Field).Should().Equal("start_time", "end_time");
    }

    private sealed class FakeDbException : System.Data.Common.DbException;
}
