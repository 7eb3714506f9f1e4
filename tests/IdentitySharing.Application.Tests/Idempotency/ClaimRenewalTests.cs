using System.Threading.Channels;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.Idempotency;
using IdentitySharing.Application.ImportApplicant;
using IdentitySharing.Application.Ports;
using MediatR;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace IdentitySharing.Application.Tests.Idempotency;

/// <summary>
/// A request that runs longer than <see cref="IdempotencyOptions.ClaimTimeout"/> keeps its claim:
/// the owner renews it while the handler runs, and stops when the handler ends.
/// </summary>
public sealed class ClaimRenewalTests
{
    private static readonly ImportedApplicant Applicant = new("applicant1", "our-client", "user-1", App.Now, "basic", "completed");
    private static readonly IdempotencyKey Key = new("billing", "ImportApplicant", "req-1");
    private static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan RenewalInterval = ClaimTimeout / 3;

    private readonly IIdempotencyStore _store = Substitute.For<IIdempotencyStore>();
    private readonly ICallerContext _caller = Substitute.For<ICallerContext>();
    private readonly TimerSignallingTimeProvider _time = new(App.Now);
    private readonly CapturedLogs _logs = new();
    private readonly Channel<(DateTimeOffset Now, DateTimeOffset ClaimUntil)> _renewals = Channel.CreateUnbounded<(DateTimeOffset, DateTimeOffset)>();
    private readonly TaskCompletionSource _handlerStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _releaseHandler = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ClaimRenewalTests()
    {
        _caller.CallerName.Returns("billing");
        _caller.RpcName.Returns("ImportApplicant");
        _store.TryClaimAsync(default!, default!, default, default, default, Arg.Any<CancellationToken>()).ReturnsForAnyArgs(IdempotencyClaim.Acquired("claim-1"));
        _store.CompleteAsync(default!, default!, default!, default, Arg.Any<CancellationToken>()).ReturnsForAnyArgs(true);
        RenewalsAnswer(_ => true);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The next item; a generous bound only so that a missing one fails the test instead of hanging it.</summary>
    private static Task<T> Next<T>(ChannelReader<T> reader) => reader.ReadAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct);

    /// <summary>The request's result; bounded, since a renewal loop that never stops would hold the request forever.</summary>
    private static Task<Result<ImportedApplicant>> Ended(Task<Result<ImportedApplicant>> call) => call.WaitAsync(TimeSpan.FromSeconds(30), Ct);

    private void RenewalsAnswer(Func<int, bool> renewed)
    {
        var calls = 0;
        _store.RenewAsync(default!, default!, default, default, Arg.Any<CancellationToken>()).ReturnsForAnyArgs(call =>
        {
            _renewals.Writer.TryWrite((call.ArgAt<DateTimeOffset>(2), call.ArgAt<DateTimeOffset>(3)));
            return renewed(Interlocked.Increment(ref calls));
        });
    }

    /// <summary>Starts a request whose handler runs until <see cref="_releaseHandler"/> is set.</summary>
    private async Task<Task<Result<ImportedApplicant>>> StartLongRequestAsync()
    {
        var loggers = LoggerFactory.Create(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        var behavior = new IdempotencyBehavior<ImportApplicantCommand, ImportedApplicant>(
            _store, _caller, new ImportedApplicantCodec(), new RequestFingerprinter(new byte[RequestFingerprinter.KeySize]), new KeyedAsyncLock(),
            new IdempotentAttempt(), Options.Create(new IdempotencyOptions { ClaimTimeout = ClaimTimeout }), _time,
            loggers.CreateLogger<IdempotencyBehavior<ImportApplicantCommand, ImportedApplicant>>());
        RequestHandlerDelegate<Result<ImportedApplicant>> handler = async () =>
        {
            _handlerStarted.SetResult();
            await _releaseHandler.Task;
            return Applicant;
        };
        var call = behavior.Handle(new ImportApplicantCommand("_act-token", ["SELFIE"], "user-1", null, null, "req-1"), Ct, handler);
        await _handlerStarted.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        return call;
    }

    [Fact]
    public async Task A_long_running_request_keeps_its_claim_renewed_and_renewal_stops_when_it_ends()
    {
        var call = await StartLongRequestAsync();

        // Ten minutes of handler, over three claim timeouts: each renewal extends the claim before it lapses.
        for (var renewal = 1; renewal <= 10; renewal++)
        {
            await Next(_time.TimerCreated);
            _time.Advance(RenewalInterval);
            var (now, claimUntil) = await Next(_renewals.Reader);
            now.Should().Be(App.Now + renewal * RenewalInterval);
            claimUntil.Should().Be(now + ClaimTimeout);
        }
        await Next(_time.TimerCreated); // the eleventh renewal's wait, cut short by the end of the request
        _releaseHandler.SetResult();
        var result = await Ended(call);

        result.Value.Should().Be(Applicant);
        await _store.ReceivedWithAnyArgs(10).RenewAsync(default!, default!, default, default, Arg.Any<CancellationToken>());
        await _store.Received().RenewAsync(Key, "claim-1", Arg.Any<DateTimeOffset>(), Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>());
        await _store.Received(1).CompleteAsync(Key, "claim-1", Arg.Any<string>(), Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>());
        var calls = _store.ReceivedCalls().Select(c => c.GetMethodInfo().Name).ToList();
        calls.LastIndexOf(nameof(IIdempotencyStore.RenewAsync)).Should().BeLessThan(calls.IndexOf(nameof(IIdempotencyStore.CompleteAsync)),
            "the claim is completed only once renewal has stopped");

        // Renewal has stopped: time passing after the request ended renews nothing.
        _time.Advance(ClaimTimeout * 5);
        _renewals.Reader.TryRead(out _).Should().BeFalse();
        _time.TimerCreated.TryRead(out _).Should().BeFalse("the renewal loop ended with the request");
    }

    [Fact]
    public async Task A_quick_request_completes_without_renewing()
    {
        var call = await StartLongRequestAsync();
        _releaseHandler.SetResult();

        (await Ended(call)).Value.Should().Be(Applicant);
        _time.Advance(ClaimTimeout * 5);

        await _store.DidNotReceiveWithAnyArgs().RenewAsync(default!, default!, default, default, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_renewal_that_finds_the_claim_gone_stops_renewing_and_logs_it()
    {
        RenewalsAnswer(call => call < 2);
        var call = await StartLongRequestAsync();

        await Next(_time.TimerCreated);
        _time.Advance(RenewalInterval);
        await Next(_renewals.Reader);
        await Next(_time.TimerCreated);
        _time.Advance(RenewalInterval);
        await Next(_renewals.Reader);
        _releaseHandler.SetResult();
        (await Ended(call)).Value.Should().Be(Applicant);

        _time.TimerCreated.TryRead(out _).Should().BeFalse("no renewal is scheduled after the claim was found gone");
        await _store.ReceivedWithAnyArgs(2).RenewAsync(default!, default!, default, default, Arg.Any<CancellationToken>());
        _logs.Entries.Should().ContainSingle(e => e.Level == LogLevel.Warning && e.Text.Contains("could not be renewed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_renewal_the_store_fails_is_logged_and_the_next_one_is_still_made()
    {
        var calls = 0;
        _store.RenewAsync(default!, default!, default, default, Arg.Any<CancellationToken>()).ReturnsForAnyArgs(call =>
        {
            _renewals.Writer.TryWrite((call.ArgAt<DateTimeOffset>(2), call.ArgAt<DateTimeOffset>(3)));
            return Interlocked.Increment(ref calls) == 1 ? Task.FromException<bool>(new IOException("database down")) : Task.FromResult(true);
        });
        var call = await StartLongRequestAsync();

        for (var renewal = 1; renewal <= 2; renewal++)
        {
            await Next(_time.TimerCreated);
            _time.Advance(RenewalInterval);
            await Next(_renewals.Reader);
        }
        await Next(_time.TimerCreated);
        _releaseHandler.SetResult();

        (await Ended(call)).Value.Should().Be(Applicant);
        await _store.ReceivedWithAnyArgs(2).RenewAsync(default!, default!, default, default, Arg.Any<CancellationToken>());
        _logs.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.Text.Contains("renewing the idempotency claim failed", StringComparison.Ordinal)
            && e.Text.Contains("System.IO.IOException", StringComparison.Ordinal));
    }

    /// <summary>
    /// A <see cref="FakeTimeProvider"/> that also tells when a timer is created, so a test advances
    /// time only once the renewal loop waits for it (no race with the loop's thread).
    /// </summary>
    private sealed class TimerSignallingTimeProvider(DateTimeOffset start) : TimeProvider
    {
        private readonly FakeTimeProvider _fake = new(start);
        private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

        public ChannelReader<TimeSpan> TimerCreated => _timers.Reader;

        public void Advance(TimeSpan by) => _fake.Advance(by);

        public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

        public override long GetTimestamp() => _fake.GetTimestamp();

        public override long TimestampFrequency => _fake.TimestampFrequency;

        public override TimeZoneInfo LocalTimeZone => _fake.LocalTimeZone;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = _fake.CreateTimer(callback, state, dueTime, period);
            _timers.Writer.TryWrite(dueTime);
            return timer;
        }
    }
}
