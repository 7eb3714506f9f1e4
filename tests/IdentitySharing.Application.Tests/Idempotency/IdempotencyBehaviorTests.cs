using IdentitySharing.Application.Common;
using IdentitySharing.Application.Idempotency;
using IdentitySharing.Application.ImportApplicant;
using IdentitySharing.Application.Ports;
using IdentitySharing.Application.ShareWithBanxa;
using MediatR;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace IdentitySharing.Application.Tests.Idempotency;

public sealed class IdempotencyBehaviorTests
{
    private static readonly ImportedApplicant Applicant = new("applicant1", "our-client", "user-1", App.Now, "basic", "completed");
    private static readonly IdempotencyKey Key = new("billing", "ImportApplicant", "req-1");

    private readonly IIdempotencyStore _store = Substitute.For<IIdempotencyStore>();
    private readonly ICallerContext _caller = Substitute.For<ICallerContext>();
    private readonly ImportedApplicantCodec _codec = new();
    private readonly ManualTimeProvider _time = new(App.Now);
    private readonly CapturedLogs _logs = new();
    private readonly IdempotentAttempt _attempt = new();
    private static readonly RequestFingerprinter Fingerprinter = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private readonly IdempotencyOptions _options = new() { Retention = TimeSpan.FromHours(6), ClaimTimeout = TimeSpan.FromMinutes(3) };
    private int _handlerCalls;

    public IdempotencyBehaviorTests()
    {
        _caller.CallerName.Returns("billing");
        _caller.RpcName.Returns("ImportApplicant");
        _store.CompleteAsync(default!, default!, default!, default, Arg.Any<CancellationToken>()).ReturnsForAnyArgs(true);
    }

    private IdempotencyBehavior<ImportApplicantCommand, ImportedApplicant> Behavior()
    {
        var loggers = LoggerFactory.Create(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        return new(_store, _caller, _codec, Fingerprinter, new KeyedAsyncLock(), _attempt, Options.Create(_options), _time,
            loggers.CreateLogger<IdempotencyBehavior<ImportApplicantCommand, ImportedApplicant>>());
    }

    private static ImportApplicantCommand Command(string? requestId = "req-1", string token = "_act-token") =>
        new(token, ["SELFIE"], "user-1", null, null, requestId);

    private RequestHandlerDelegate<Result<ImportedApplicant>> Handler(Result<ImportedApplicant> outcome) => () =>
    {
        Interlocked.Increment(ref _handlerCalls);
        return Task.FromResult(outcome);
    };

    private void StoreAnswers(params IdempotencyClaim[] claims) =>
        _store.TryClaimAsync(default!, default!, default, default, default, Arg.Any<CancellationToken>()).ReturnsForAnyArgs(claims[0], claims[1..]);

    private static Task<Result<ImportedApplicant>> Send(IdempotencyBehavior<ImportApplicantCommand, ImportedApplicant> behavior,
        ImportApplicantCommand command, RequestHandlerDelegate<Result<ImportedApplicant>> next) =>
        behavior.Handle(command, TestContext.Current.CancellationToken, next);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Without_a_request_id_the_request_runs_and_the_store_is_not_touched(string? requestId)
    {
        var result = await Send(Behavior(), Command(requestId), Handler(Applicant));

        result.Value.Should().Be(Applicant);
        _handlerCalls.Should().Be(1);
        _store.ReceivedCalls().Should().BeEmpty();
    }

    [Fact]
    public async Task A_first_request_claims_its_key_runs_and_stores_the_outcome_before_returning()
    {
        StoreAnswers(IdempotencyClaim.Acquired("claim-1"));

        var result = await Send(Behavior(), Command(), Handler(Applicant));

        result.Value.Should().Be(Applicant);
        await _store.Received(1).TryClaimAsync(Key, Fingerprinter.Of(Command()), App.Now, App.Now.AddMinutes(3), App.Now.AddHours(6), Arg.Any<CancellationToken>());
        var stored = (string)_store.ReceivedCalls().Single(c => c.GetMethodInfo().Name == nameof(IIdempotencyStore.CompleteAsync)).GetArguments()[2]!;
        _codec.Decode(stored).Value.Should().Be(Applicant);
        await _store.Received(1).CompleteAsync(Key, "claim-1", stored, App.Now.AddHours(6), Arg.Is<CancellationToken>(token => !token.CanBeCanceled));
        await _store.DidNotReceiveWithAnyArgs().ReleaseAsync(default!, default!, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_retry_gets_the_stored_outcome_without_running_the_handler()
    {
        StoreAnswers(IdempotencyClaim.Completed(_codec.Encode(Applicant)));

        var result = await Send(Behavior(), Command(), Handler(new Error(ErrorKind.Unavailable, "X", "must not run")));

        result.Value.Should().Be(Applicant);
        _handlerCalls.Should().Be(0);
        _logs.Entries.Should().Contain(e => e.Text.Contains("replayed the stored outcome", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_reused_request_id_with_another_request_fails_without_running_the_handler()
    {
        StoreAnswers(IdempotencyClaim.Mismatch);

        var result = await Send(Behavior(), Command(), Handler(Applicant));

        result.Error!.Kind.Should().Be(ErrorKind.IdempotencyMismatch);
        result.Error.Reason.Should().Be("REQUEST_ID_REUSED");
        _handlerCalls.Should().Be(0);
    }

    [Fact]
    public async Task A_duplicate_waits_while_another_replica_holds_the_claim_then_gets_its_outcome()
    {
        StoreAnswers(IdempotencyClaim.InProgress, IdempotencyClaim.InProgress, IdempotencyClaim.Completed(_codec.Encode(Applicant)));

        var result = await Send(Behavior(), Command(), Handler(Applicant));

        result.Value.Should().Be(Applicant);
        _handlerCalls.Should().Be(0);
        await _store.ReceivedWithAnyArgs(3).TryClaimAsync(default!, default!, default, default, default, Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData(ErrorKind.NotFound)]
    [InlineData(ErrorKind.FailedPrecondition)]
    [InlineData(ErrorKind.Validation)]
    public async Task Terminal_failures_are_stored_for_replay(ErrorKind kind)
    {
        StoreAnswers(IdempotencyClaim.Acquired("claim-1"));
        var failure = new Error(kind, "REASON", "message") { Upstream = new UpstreamFailure("sumsub", 400, "1003", "corr-1") };

        var result = await Send(Behavior(), Command(), Handler(failure));

        result.Error.Should().Be(failure);
        var stored = (string)_store.ReceivedCalls().Single(c => c.GetMethodInfo().Name == nameof(IIdempotencyStore.CompleteAsync)).GetArguments()[2]!;
        _codec.Decode(stored).Error.Should().BeEquivalentTo(failure);
        await _store.DidNotReceiveWithAnyArgs().ReleaseAsync(default!, default!, Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData(ErrorKind.Unavailable)]
    [InlineData(ErrorKind.RateLimited)]
    [InlineData(ErrorKind.DeadlineExceeded)]
    [InlineData(ErrorKind.UpstreamCredentials)]
    public async Task Transient_failures_release_the_claim_so_a_retry_runs_again(ErrorKind kind)
    {
        StoreAnswers(IdempotencyClaim.Acquired("claim-1"));

        var result = await Send(Behavior(), Command(), Handler(new Error(kind, "REASON", "message")));

        result.Error!.Kind.Should().Be(kind);
        await _store.Received(1).ReleaseAsync(Key, "claim-1", Arg.Is<CancellationToken>(token => !token.CanBeCanceled));
        await _store.DidNotReceiveWithAnyArgs().CompleteAsync(default!, default!, default!, default, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_first_attempt_tells_the_handler_nothing_ran_before()
    {
        StoreAnswers(IdempotencyClaim.Acquired("claim-1"));
        DateTimeOffset? seenByHandler = App.Now;

        await Send(Behavior(), Command(), () =>
        {
            seenByHandler = _attempt.PriorAttemptStartedAt;
            return Task.FromResult<Result<ImportedApplicant>>(Applicant);
        });

        seenByHandler.Should().BeNull();
    }

    [Fact]
    public async Task A_claim_taken_over_from_an_earlier_attempt_tells_the_handler_when_that_attempt_began()
    {
        var earlier = App.Now.AddMinutes(-4);
        StoreAnswers(IdempotencyClaim.Acquired("claim-2", earlier));
        DateTimeOffset? seenByHandler = null;

        var result = await Send(Behavior(), Command(), () =>
        {
            seenByHandler = _attempt.PriorAttemptStartedAt;
            return Task.FromResult<Result<ImportedApplicant>>(Applicant);
        });

        result.Value.Should().Be(Applicant);
        seenByHandler.Should().Be(earlier);
        await _store.Received(1).CompleteAsync(Key, "claim-2", Arg.Any<string>(), App.Now.AddHours(6), Arg.Any<CancellationToken>());
        _logs.Entries.Should().Contain(e => e.Level == LogLevel.Warning && e.Text.Contains("took over the claim", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_outcome_that_may_have_acted_abandons_the_claim_instead_of_storing_or_releasing_it()
    {
        StoreAnswers(IdempotencyClaim.Acquired("claim-1"));
        var unknown = new Error(ErrorKind.Unavailable, SumsubImportOutcome.UnknownReason, "lost") { MayHaveActed = true };

        var result = await Send(Behavior(), Command(), Handler(unknown));

        result.Error.Should().Be(unknown);
        await _store.Received(1).AbandonAsync(Key, "claim-1", App.Now, Arg.Is<CancellationToken>(token => !token.CanBeCanceled));
        await _store.DidNotReceiveWithAnyArgs().ReleaseAsync(default!, default!, Arg.Any<CancellationToken>());
        await _store.DidNotReceiveWithAnyArgs().CompleteAsync(default!, default!, default!, default, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_deadline_that_cuts_off_an_upstream_request_abandons_the_claim_so_the_retry_reconciles()
    {
        StoreAnswers(IdempotencyClaim.Acquired("claim-1"));
        var interrupted = new UpstreamRequestInterruptedException("sumsub", new TaskCanceledException(), new CancellationToken(canceled: true));

        var act = () => Send(Behavior(), Command(), () => throw interrupted);

        (await act.Should().ThrowAsync<OperationCanceledException>()).Which.Should().BeSameAs(interrupted);
        await _store.Received(1).AbandonAsync(Key, "claim-1", App.Now, Arg.Is<CancellationToken>(token => !token.CanBeCanceled));
        await _store.DidNotReceiveWithAnyArgs().ReleaseAsync(default!, default!, Arg.Any<CancellationToken>());
        await _store.DidNotReceiveWithAnyArgs().CompleteAsync(default!, default!, default!, default, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_cancellation_after_the_handler_said_its_action_may_have_happened_abandons_the_claim()
    {
        StoreAnswers(IdempotencyClaim.Acquired("claim-1"));

        // The import's answer was lost, and the look-up that follows is cancelled before it is sent.
        var act = () => Send(Behavior(), Command(), () =>
        {
            _attempt.MayHaveActed = true;
            throw new OperationCanceledException();
        });

        await act.Should().ThrowAsync<OperationCanceledException>();
        await _store.Received(1).AbandonAsync(Key, "claim-1", App.Now, Arg.Is<CancellationToken>(token => !token.CanBeCanceled));
        await _store.DidNotReceiveWithAnyArgs().ReleaseAsync(default!, default!, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_failure_of_an_attempt_that_took_over_an_earlier_ones_claim_keeps_that_memory()
    {
        StoreAnswers(IdempotencyClaim.Acquired("claim-2", App.Now.AddMinutes(-4)));

        var cancelled = () => Send(Behavior(), Command(), () => throw new OperationCanceledException());

        await cancelled.Should().ThrowAsync<OperationCanceledException>();
        await _store.Received(1).AbandonAsync(Key, "claim-2", App.Now, Arg.Is<CancellationToken>(token => !token.CanBeCanceled));
        await _store.DidNotReceiveWithAnyArgs().ReleaseAsync(default!, default!, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_transient_failure_after_the_handler_said_its_action_may_have_happened_abandons_the_claim()
    {
        StoreAnswers(IdempotencyClaim.Acquired("claim-1"));

        var result = await Send(Behavior(), Command(), () =>
        {
            _attempt.MayHaveActed = true;
            return Task.FromResult<Result<ImportedApplicant>>(new Error(ErrorKind.Unavailable, "UPSTREAM_UNAVAILABLE", "look-up failed"));
        });

        result.Error!.Kind.Should().Be(ErrorKind.Unavailable);
        await _store.Received(1).AbandonAsync(Key, "claim-1", App.Now, Arg.Is<CancellationToken>(token => !token.CanBeCanceled));
        await _store.DidNotReceiveWithAnyArgs().ReleaseAsync(default!, default!, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_handler_exception_releases_the_claim_and_propagates()
    {
        StoreAnswers(IdempotencyClaim.Acquired("claim-1"));

        var act = () => Send(Behavior(), Command(), () => throw new OperationCanceledException());

        await act.Should().ThrowAsync<OperationCanceledException>();
        await _store.Received(1).ReleaseAsync(Key, "claim-1", Arg.Is<CancellationToken>(token => !token.CanBeCanceled));
    }

    [Fact]
    public async Task An_unreachable_store_refuses_the_request_unrun_as_unavailable()
    {
        _store.TryClaimAsync(default!, default!, default, default, default, Arg.Any<CancellationToken>()).ThrowsAsyncForAnyArgs(new IOException("database down"));

        var result = await Send(Behavior(), Command(), Handler(Applicant));

        result.Error!.Kind.Should().Be(ErrorKind.Unavailable);
        result.Error.Reason.Should().Be("IDEMPOTENCY_STORE_UNAVAILABLE");
        result.Error.RetryAfter.Should().NotBeNull();
        _handlerCalls.Should().Be(0);
    }

    [Fact]
    public async Task An_outcome_that_cannot_be_stored_is_still_returned_and_the_failure_logged()
    {
        StoreAnswers(IdempotencyClaim.Acquired("claim-1"));
        _store.CompleteAsync(default!, default!, default!, default, Arg.Any<CancellationToken>()).ThrowsAsyncForAnyArgs(new IOException("database down"));

        var result = await Send(Behavior(), Command(), Handler(Applicant));

        result.Value.Should().Be(Applicant);
        _logs.Entries.Should().Contain(e => e.Level == LogLevel.Error && e.Text.Contains("System.IO.IOException", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_duplicates_in_one_process_take_turns_so_only_one_runs()
    {
        // The store answers like a real one: the first claim wins, later claims see the stored outcome.
        var stored = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var claims = 0;
        _store.TryClaimAsync(default!, default!, default, default, default, Arg.Any<CancellationToken>()).ReturnsForAnyArgs(_ =>
            Interlocked.Increment(ref claims) == 1 ? IdempotencyClaim.Acquired("claim-1") : IdempotencyClaim.Completed(stored.Task.Result));
        _store.CompleteAsync(default!, default!, default!, default, Arg.Any<CancellationToken>()).ReturnsForAnyArgs(call =>
        {
            stored.SetResult(call.ArgAt<string>(2));
            return true;
        });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var behavior = Behavior();

        var calls = Enumerable.Range(0, 10).Select(_ => Send(behavior, Command(), async () =>
        {
            Interlocked.Increment(ref _handlerCalls);
            await release.Task;
            return Applicant;
        })).ToArray();
        release.SetResult();
        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        _handlerCalls.Should().Be(1);
        results.Should().OnlyContain(r => r.IsSuccess && r.Value == Applicant);
    }

    [Fact]
    public void The_fingerprint_covers_every_field_but_not_the_redacted_text()
    {
        var command = Command();

        Fingerprinter.Of(command).Should().Be(Fingerprinter.Of(Command()));
        Fingerprinter.Of(command).Value.Should().MatchRegex("^hmac1:[0-9a-f]{8}:[0-9a-f]{64}$").And.NotContain("_act-token");
        new[]
        {
            command with { ShareToken = "_act-other" },
            command with { ResetIdDocSetTypes = ["IDENTITY"] },
            command with { UserId = "user-2" },
            command with { LevelName = "advanced" },
            command with { Account = "eu" },
        }.Select(c => Fingerprinter.Of(c).Value).Should().OnlyHaveUniqueItems().And.NotContain(Fingerprinter.Of(command).Value);
    }

    [Fact]
    public void The_fingerprint_is_keyed_it_differs_between_keys_and_is_not_the_plain_sha256_of_the_request()
    {
        var command = new ShareWithBanxaCommand("applicant1", "ref-1", "probe@example.com", "+447700955503", null, "req-1");
        var plain = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            [.. System.Text.Encoding.UTF8.GetBytes(typeof(ShareWithBanxaCommand).FullName + "\n"), .. System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(command)]));
        var otherKey = new RequestFingerprinter(Enumerable.Range(2, 32).Select(i => (byte)i).ToArray());

        var fingerprint = Fingerprinter.Of(command);
        var underOtherKey = otherKey.Of(command);

        fingerprint.Value.Should().NotBe(underOtherKey.Value).And.NotContain(plain).And.NotContain("probe@example.com").And.NotContain("447700955503");
        underOtherKey.Value.Should().NotContain(plain);
        fingerprint.Legacy.Should().Be(plain, "it is what the previous release stored, so a retry spanning the upgrade still matches");
        fingerprint.ToString().Should().NotContain(plain).And.NotContain(fingerprint.Value);
        new Action(() => _ = new RequestFingerprinter(new byte[16])).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void A_stored_fingerprint_matches_in_its_keyed_or_legacy_form_and_one_under_another_key_is_told_apart()
    {
        var command = Command();
        var fingerprint = Fingerprinter.Of(command);
        var other = Fingerprinter.Of(command with { UserId = "user-2" });
        var rotated = new RequestFingerprinter(Enumerable.Range(2, 32).Select(i => (byte)i).ToArray()).Of(command);

        fingerprint.Matches(fingerprint.Value).Should().BeTrue();
        fingerprint.Matches(fingerprint.Legacy).Should().BeTrue("a record written before fingerprints were keyed");
        fingerprint.Matches(other.Value).Should().BeFalse();
        fingerprint.Matches(other.Legacy).Should().BeFalse();
        fingerprint.Matches("hmac1:" + fingerprint.Legacy).Should().BeFalse("a keyed value is never compared with the legacy hash");
        fingerprint.Matches(rotated.Value).Should().BeFalse();

        fingerprint.IsUnderAnotherKey(rotated.Value).Should().BeTrue();
        fingerprint.IsUnderAnotherKey(other.Value).Should().BeFalse("same key, different request");
        fingerprint.IsUnderAnotherKey(other.Legacy).Should().BeFalse("a legacy value is compared, not refused");
    }
}
