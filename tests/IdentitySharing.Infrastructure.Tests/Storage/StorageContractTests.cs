using IdentitySharing.Application.Audit;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.Idempotency;
using IdentitySharing.Application.ImportApplicant;
using IdentitySharing.Application.Ports;
using IdentitySharing.Application.ShareWithBanxa;
using IdentitySharing.Infrastructure.Storage;

namespace IdentitySharing.Infrastructure.Tests.Storage;

/// <summary>
/// The storage contract, run against every provider (see the subclasses): schema migrations,
/// the idempotency store's claim protocol, retention cleanup, the ledger, and idempotency end to
/// end through the real application pipeline, including two replicas sharing one database.
/// </summary>
public abstract class StorageContractTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly IdempotencyKey Key = new("billing", "ImportApplicant", "req-1");
    private static readonly OutcomeProtector Protector = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private static readonly RequestFingerprinter Fingerprinter = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    // Generous: the ledger's writer runs on a thread of its own; a caller it never answers fails the test instead of hanging it.
    protected static readonly TimeSpan LedgerPatience = TimeSpan.FromMinutes(1);
    private static readonly RequestFingerprint Fp = Fingerprinter.Of(Import());
    private static readonly RequestFingerprint OtherFp = Fingerprinter.Of(Import(token: "_act-another-token"));

    private readonly List<SqlDatabase> _databases = [];
    private string _connectionString = null!;

    /// <summary>A fresh, empty database for this test; returns its connection string.</summary>
    protected abstract Task<string> CreateEmptyDatabaseAsync();

    /// <summary>A new database object (a "replica's" view) on the database at <paramref name="connectionString"/>.</summary>
    protected abstract SqlDatabase Connect(string connectionString);

    public async ValueTask InitializeAsync() => _connectionString = await CreateEmptyDatabaseAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
        await DeleteDatabaseAsync();
    }

    /// <summary>Removes what <see cref="CreateEmptyDatabaseAsync"/> made, after every connection is closed.</summary>
    protected virtual ValueTask DeleteDatabaseAsync() => ValueTask.CompletedTask;

    /// <summary>The connection string of this test's database.</summary>
    protected string ConnectionString => _connectionString;

    /// <summary>A new database object on this test's database (or on <paramref name="connectionString"/>), disposed after the test.</summary>
    protected SqlDatabase NewReplicaDatabase(string? connectionString = null)
    {
        var database = Connect(connectionString ?? _connectionString);
        _databases.Add(database);
        return database;
    }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ImportApplicantCommand Import(string requestId = "req-1", string token = "_act-partner-token", string? userId = "user-1") =>
        new(token, ["SELFIE"], userId, "basic", null, requestId);

    // ---- migrations ----

    [Fact]
    public async Task Migrations_bring_an_empty_database_to_the_latest_version_once()
    {
        var database = NewReplicaDatabase();

        await database.MigrateAsync(Ct);
        (await database.SchemaVersionAsync(Ct)).Should().Be(database.LatestVersion);

        var again = NewReplicaDatabase();
        await again.MigrateAsync(Ct);
        (await again.SchemaVersionAsync(Ct)).Should().Be(database.LatestVersion);
        (await CountRowsAsync(again, "schema_version")).Should().Be(database.LatestVersion);
    }

    [Fact]
    public async Task Replicas_starting_together_apply_each_migration_exactly_once()
    {
        var replicas = Enumerable.Range(0, 6).Select(_ => NewReplicaDatabase()).ToArray();

        await Task.WhenAll(replicas.Select(replica => Task.Run(() => replica.MigrateAsync(Ct), Ct)));

        (await CountRowsAsync(replicas[0], "schema_version")).Should().Be(replicas[0].LatestVersion);
        (await replicas[5].SchemaVersionAsync(Ct)).Should().Be(replicas[0].LatestVersion);
    }

    [Fact]
    public async Task A_database_from_a_newer_version_of_the_service_is_refused()
    {
        var database = NewReplicaDatabase();
        await database.MigrateAsync(Ct);
        await ExecuteAsync(database, $"INSERT INTO schema_version (version, description, applied_at) VALUES ({database.LatestVersion + 1}, 'future', 0)");

        var act = () => NewReplicaDatabase().MigrateAsync(Ct);

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("newer than this service knows");
    }

    // ---- the idempotency store's claim protocol ----

    [Fact]
    public async Task A_first_claim_is_acquired_and_a_duplicate_waits_while_it_is_live()
    {
        var store = new SqlIdempotencyStore(NewReplicaDatabase(), Protector);

        var first = await store.TryClaimAsync(Key, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct);
        var duplicate = await store.TryClaimAsync(Key, Fp, T0.AddSeconds(1), T0.AddMinutes(2), T0.AddHours(24), Ct);

        first.State.Should().Be(IdempotencyClaimState.Acquired);
        first.ClaimToken.Should().NotBeNullOrEmpty();
        first.PriorAttemptStartedAt.Should().BeNull("nothing ran under this key before");
        duplicate.State.Should().Be(IdempotencyClaimState.InProgress);
    }

    [Fact]
    public async Task A_completed_outcome_is_returned_to_every_later_claim_and_other_keys_are_independent()
    {
        var store = new SqlIdempotencyStore(NewReplicaDatabase(), Protector);
        var claim = await store.TryClaimAsync(Key, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct);

        (await store.CompleteAsync(Key, claim.ClaimToken!, "{\"value\":1}", T0.AddHours(24), Ct)).Should().BeTrue();

        var replay = await store.TryClaimAsync(Key, Fp, T0.AddMinutes(5), T0.AddMinutes(7), T0.AddHours(24), Ct);
        replay.Should().Be(IdempotencyClaim.Completed("{\"value\":1}"));
        (await store.TryClaimAsync(Key with { Caller = "other" }, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct)).State
            .Should().Be(IdempotencyClaimState.Acquired, "another caller's request_id is another key");
        (await store.TryClaimAsync(Key with { Rpc = "GenerateShareToken" }, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct)).State
            .Should().Be(IdempotencyClaimState.Acquired, "another RPC's request_id is another key");
    }

    [Fact]
    public async Task Outcomes_are_stored_encrypted_and_bound_to_their_key()
    {
        var database = NewReplicaDatabase();
        var store = new SqlIdempotencyStore(database, Protector);
        var claim = await store.TryClaimAsync(Key, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct);
        const string outcome = "{\"token\":\"_act-secret-share-token\"}";
        await store.CompleteAsync(Key, claim.ClaimToken!, outcome, T0.AddHours(24), Ct);

        var stored = await ReadOutcomeColumnAsync(database, Key);
        stored.Should().NotContain("_act-secret-share-token").And.StartWith("aesgcm1:");
        (await store.TryClaimAsync(Key, Fp, T0.AddMinutes(1), T0.AddMinutes(3), T0.AddHours(24), Ct)).Outcome.Should().Be(outcome);

        // The same ciphertext under another caller's key, or read with another key, does not decrypt: the request is refused, never rerun.
        var other = Key with { Caller = "intruder" };
        var otherClaim = await store.TryClaimAsync(other, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct);
        await store.CompleteAsync(other, otherClaim.ClaimToken!, "{}", T0.AddHours(24), Ct);
        await ExecuteAsync(database, $"UPDATE idempotency_records SET outcome = '{stored}' WHERE caller = 'intruder'");
        var copied = () => store.TryClaimAsync(other, Fp, T0.AddMinutes(1), T0.AddMinutes(3), T0.AddHours(24), Ct);
        await copied.Should().ThrowAsync<OutcomeUnreadableException>();
        var rekeyed = () => new SqlIdempotencyStore(database, new OutcomeProtector(new byte[32])).TryClaimAsync(Key, Fp, T0.AddMinutes(1), T0.AddMinutes(3), T0.AddHours(24), Ct);
        (await rekeyed.Should().ThrowAsync<OutcomeUnreadableException>()).Which.Message.Should().Contain("Idempotency:OutcomeKey");
    }

    [Fact]
    public async Task Stored_fingerprints_are_keyed_hashes_that_differ_between_keys_and_are_not_the_plain_sha256()
    {
        const string email = "fingerprint.probe@example.com";
        const string mobile = "+447700955502";
        var command = new ShareWithBanxaCommand("applicant1", "ref-1", email, mobile, null, "req-1");
        var database = NewReplicaDatabase();
        var store = new SqlIdempotencyStore(database, Protector);
        var otherKey = new RequestFingerprinter(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var one = Key with { Rpc = "ShareWithBanxa", RequestId = "req-1" };
        var two = Key with { Rpc = "ShareWithBanxa", RequestId = "req-2" };

        await store.TryClaimAsync(one, Fingerprinter.Of(command), T0, T0.AddMinutes(2), T0.AddHours(24), Ct);
        await store.TryClaimAsync(two, otherKey.Of(command), T0, T0.AddMinutes(2), T0.AddHours(24), Ct);

        var first = await ReadFingerprintColumnAsync(database, one);
        var second = await ReadFingerprintColumnAsync(database, two);
        first.Should().StartWith("hmac1:").And.NotBe(second);
        second.Should().StartWith("hmac1:");
        foreach (var stored in new[] { first, second })
        {
            stored.Should().NotContain(PlainSha256(command)).And.NotContain(email).And.NotContain(mobile.TrimStart('+'));
        }
    }

    [Fact]
    public async Task A_retry_of_a_request_recorded_before_fingerprints_were_keyed_is_still_the_same_request()
    {
        var database = NewReplicaDatabase();
        var store = new SqlIdempotencyStore(database, Protector);
        var command = Import();
        var pending = Key with { RequestId = "req-pending" };
        var completed = Key with { RequestId = "req-completed" };
        // Rows as the previous release wrote them: the plain SHA-256 of the request.
        await store.TryClaimAsync(pending, Fingerprinter.Of(command with { RequestId = pending.RequestId }), T0, T0.AddMinutes(2), T0.AddHours(24), Ct);
        var claim = await store.TryClaimAsync(completed, Fingerprinter.Of(command with { RequestId = completed.RequestId }), T0, T0.AddMinutes(2), T0.AddHours(24), Ct);
        await store.CompleteAsync(completed, claim.ClaimToken!, "{\"id\":\"applicant1\"}", T0.AddHours(24), Ct);
        await ExecuteAsync(database, $"UPDATE idempotency_records SET fingerprint = '{PlainSha256(command with { RequestId = pending.RequestId })}' WHERE request_id = '{pending.RequestId}'");
        await ExecuteAsync(database, $"UPDATE idempotency_records SET fingerprint = '{PlainSha256(command with { RequestId = completed.RequestId })}' WHERE request_id = '{completed.RequestId}'");

        var replay = await store.TryClaimAsync(completed, Fingerprinter.Of(command with { RequestId = completed.RequestId }), T0.AddMinutes(1), T0.AddMinutes(3), T0.AddHours(24), Ct);
        var waiting = await store.TryClaimAsync(pending, Fingerprinter.Of(command with { RequestId = pending.RequestId }), T0.AddMinutes(1), T0.AddMinutes(3), T0.AddHours(24), Ct);
        var different = await store.TryClaimAsync(completed, Fingerprinter.Of(command with { ShareToken = "_act-another-token", RequestId = completed.RequestId }), T0.AddMinutes(1), T0.AddMinutes(3), T0.AddHours(24), Ct);

        replay.State.Should().Be(IdempotencyClaimState.Completed);
        replay.Outcome.Should().Be("{\"id\":\"applicant1\"}");
        waiting.State.Should().Be(IdempotencyClaimState.InProgress);
        different.State.Should().Be(IdempotencyClaimState.Mismatch, "a legacy fingerprint still tells a different request apart");
    }

    [Fact]
    public async Task A_record_fingerprinted_under_another_key_is_refused_neither_replayed_nor_called_a_reused_request_id()
    {
        var database = NewReplicaDatabase();
        var store = new SqlIdempotencyStore(database, Protector);
        var claim = await store.TryClaimAsync(Key, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct);
        await store.CompleteAsync(Key, claim.ClaimToken!, "{}", T0.AddHours(24), Ct);
        var rotated = new RequestFingerprinter(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        var retry = () => store.TryClaimAsync(Key, rotated.Of(Import()), T0.AddMinutes(1), T0.AddMinutes(3), T0.AddHours(24), Ct);

        (await retry.Should().ThrowAsync<OutcomeUnreadableException>()).Which.Message.Should().Contain("Idempotency:OutcomeKey");
        (await store.TryClaimAsync(Key, Fp, T0.AddMinutes(1), T0.AddMinutes(3), T0.AddHours(24), Ct)).State.Should().Be(IdempotencyClaimState.Completed);
    }

    [Fact]
    public async Task A_different_fingerprint_under_the_same_key_is_a_mismatch_pending_or_completed()
    {
        var store = new SqlIdempotencyStore(NewReplicaDatabase(), Protector);
        var claim = await store.TryClaimAsync(Key, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct);

        (await store.TryClaimAsync(Key, OtherFp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct)).State.Should().Be(IdempotencyClaimState.Mismatch);
        await store.CompleteAsync(Key, claim.ClaimToken!, "{}", T0.AddHours(24), Ct);
        (await store.TryClaimAsync(Key, OtherFp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct)).State.Should().Be(IdempotencyClaimState.Mismatch);
    }

    [Fact]
    public async Task A_released_claim_lets_the_next_attempt_run()
    {
        var store = new SqlIdempotencyStore(NewReplicaDatabase(), Protector);
        var claim = await store.TryClaimAsync(Key, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct);

        await store.ReleaseAsync(Key, claim.ClaimToken!, Ct);

        var retry = await store.TryClaimAsync(Key, Fp, T0.AddSeconds(1), T0.AddMinutes(2), T0.AddHours(24), Ct);
        retry.State.Should().Be(IdempotencyClaimState.Acquired);
        retry.ClaimToken.Should().NotBe(claim.ClaimToken);
        retry.PriorAttemptStartedAt.Should().BeNull("a released attempt did nothing upstream");
    }

    [Fact]
    public async Task An_abandoned_claim_is_taken_over_at_once_and_says_when_the_first_attempt_began()
    {
        var store = new SqlIdempotencyStore(NewReplicaDatabase(), Protector);
        var first = await store.TryClaimAsync(Key, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct);

        await store.AbandonAsync(Key, first.ClaimToken!, T0.AddSeconds(10), Ct);
        var second = await store.TryClaimAsync(Key, Fp, T0.AddSeconds(11), T0.AddMinutes(3), T0.AddHours(24), Ct);
        await store.AbandonAsync(Key, second.ClaimToken!, T0.AddSeconds(20), Ct);
        var third = await new SqlIdempotencyStore(NewReplicaDatabase(), Protector).TryClaimAsync(Key, Fp, T0.AddSeconds(21), T0.AddMinutes(3), T0.AddHours(24), Ct);

        second.State.Should().Be(IdempotencyClaimState.Acquired, "an abandoned claim is not live");
        second.PriorAttemptStartedAt.Should().Be(T0);
        third.State.Should().Be(IdempotencyClaimState.Acquired);
        third.PriorAttemptStartedAt.Should().Be(T0, "the first attempt's start survives every takeover");
        (await store.CompleteAsync(Key, second.ClaimToken!, "{}", T0.AddHours(24), Ct)).Should().BeFalse("the abandoned claim is no longer its owner's");
        (await store.TryClaimAsync(Key, OtherFp, T0.AddSeconds(22), T0.AddMinutes(3), T0.AddHours(24), Ct)).State
            .Should().Be(IdempotencyClaimState.Mismatch, "an abandoned row still guards its request_id");
    }

    [Fact]
    public async Task Abandoning_needs_the_current_claim_token()
    {
        var store = new SqlIdempotencyStore(NewReplicaDatabase(), Protector);
        var claim = await store.TryClaimAsync(Key, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct);

        await store.AbandonAsync(Key, "not-the-claim-token", T0.AddSeconds(1), Ct);

        (await store.TryClaimAsync(Key, Fp, T0.AddSeconds(2), T0.AddMinutes(2), T0.AddHours(24), Ct)).State.Should().Be(IdempotencyClaimState.InProgress);
        (await store.CompleteAsync(Key, claim.ClaimToken!, "{}", T0.AddHours(24), Ct)).Should().BeTrue();
    }

    [Fact]
    public async Task A_renewed_claim_outlives_its_first_timeout_and_only_its_owner_renews_it()
    {
        var store = new SqlIdempotencyStore(NewReplicaDatabase(), Protector);
        var other = new SqlIdempotencyStore(NewReplicaDatabase(), Protector);
        var claim = await store.TryClaimAsync(Key, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct);

        (await store.RenewAsync(Key, "not-the-claim-token", T0.AddMinutes(1), T0.AddMinutes(10), Ct)).Should().BeFalse();
        (await store.RenewAsync(Key with { RequestId = "req-other" }, claim.ClaimToken!, T0.AddMinutes(1), T0.AddMinutes(10), Ct)).Should().BeFalse();
        (await other.TryClaimAsync(Key, Fp, T0.AddMinutes(3), T0.AddMinutes(5), T0.AddHours(24), Ct)).State
            .Should().Be(IdempotencyClaimState.Acquired, "a renewal with the wrong token extended nothing: the claim expired at T0+2min");

        var owned = Key with { RequestId = "req-renewed" };
        var mine = await store.TryClaimAsync(owned, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct);
        (await store.RenewAsync(owned, mine.ClaimToken!, T0.AddMinutes(1), T0.AddMinutes(3), Ct)).Should().BeTrue();
        (await store.RenewAsync(owned, mine.ClaimToken!, T0.AddMinutes(2).AddSeconds(30), T0.AddMinutes(4).AddSeconds(30), Ct)).Should().BeTrue();

        (await other.TryClaimAsync(owned, Fp, T0.AddMinutes(4), T0.AddMinutes(6), T0.AddHours(24), Ct)).State
            .Should().Be(IdempotencyClaimState.InProgress, "renewed to T0+4m30s, the claim is still live after its first timeout");
        (await store.CompleteAsync(owned, mine.ClaimToken!, "{}", T0.AddHours(24), Ct)).Should().BeTrue("the renewing owner never lost its claim");
        (await store.RenewAsync(owned, mine.ClaimToken!, T0.AddMinutes(4).AddSeconds(10), T0.AddMinutes(7), Ct)).Should().BeFalse("a completed record has no claim to renew");
        (await other.TryClaimAsync(owned, Fp, T0.AddMinutes(5), T0.AddMinutes(7), T0.AddHours(24), Ct)).State.Should().Be(IdempotencyClaimState.Completed);
    }

    [Fact]
    public async Task A_claim_taken_over_released_or_abandoned_cannot_be_renewed_by_its_old_owner()
    {
        var store = new SqlIdempotencyStore(NewReplicaDatabase(), Protector);
        var first = await store.TryClaimAsync(Key, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct);
        var takeover = await store.TryClaimAsync(Key, Fp, T0.AddMinutes(3), T0.AddMinutes(5), T0.AddHours(24), Ct);
        takeover.State.Should().Be(IdempotencyClaimState.Acquired);

        (await store.RenewAsync(Key, first.ClaimToken!, T0.AddMinutes(3).AddSeconds(1), T0.AddMinutes(9), Ct)).Should().BeFalse("the claim is another attempt's now");
        (await store.CompleteAsync(Key, takeover.ClaimToken!, "{}", T0.AddHours(24), Ct)).Should().BeTrue("the old owner's renewal took nothing from the new one");

        var expired = Key with { RequestId = "req-expired" };
        var lapsed = await store.TryClaimAsync(expired, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct);
        (await store.RenewAsync(expired, lapsed.ClaimToken!, T0.AddMinutes(2), T0.AddMinutes(4), Ct)).Should().BeFalse("a claim that has expired stays ended");

        var released = Key with { RequestId = "req-released" };
        var gone = await store.TryClaimAsync(released, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct);
        await store.ReleaseAsync(released, gone.ClaimToken!, Ct);
        (await store.RenewAsync(released, gone.ClaimToken!, T0.AddMinutes(1), T0.AddMinutes(3), Ct)).Should().BeFalse();

        var abandoned = Key with { RequestId = "req-abandoned" };
        var ended = await store.TryClaimAsync(abandoned, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct);
        await store.AbandonAsync(abandoned, ended.ClaimToken!, T0.AddMinutes(1), Ct);
        (await store.RenewAsync(abandoned, ended.ClaimToken!, T0.AddMinutes(1).AddSeconds(1), T0.AddMinutes(3), Ct)).Should().BeFalse("an abandoned claim is not revived");
        (await store.TryClaimAsync(abandoned, Fp, T0.AddMinutes(1).AddSeconds(2), T0.AddMinutes(4), T0.AddHours(24), Ct)).PriorAttemptStartedAt
            .Should().Be(T0, "the abandoned claim is taken over at once");
    }

    [Fact]
    public async Task An_expired_claim_is_taken_over_by_exactly_one_replica_and_its_old_owner_cannot_complete()
    {
        var crashed = await new SqlIdempotencyStore(NewReplicaDatabase(), Protector).TryClaimAsync(Key, Fp, T0, T0.AddMinutes(2), T0.AddHours(24), Ct);
        var replicas = Enumerable.Range(0, 8).Select(_ => new SqlIdempotencyStore(NewReplicaDatabase(), Protector)).ToArray();
        var later = T0.AddMinutes(3);

        var claims = await Task.WhenAll(replicas.Select(store => Task.Run(() => store.TryClaimAsync(Key, Fp, later, later.AddMinutes(2), later.AddHours(24), Ct), Ct)));

        claims.Count(c => c.State == IdempotencyClaimState.Acquired).Should().Be(1);
        claims.Where(c => c.State != IdempotencyClaimState.Acquired).Should().OnlyContain(c => c.State == IdempotencyClaimState.InProgress);
        (await replicas[0].CompleteAsync(Key, crashed.ClaimToken!, "{}", later.AddHours(24), Ct)).Should().BeFalse();
        var winner = claims.Single(c => c.State == IdempotencyClaimState.Acquired);
        winner.PriorAttemptStartedAt.Should().Be(T0, "the crashed owner claimed the key at T0 and may have acted since");
        (await replicas[0].CompleteAsync(Key, winner.ClaimToken!, "{\"ok\":true}", later.AddHours(24), Ct)).Should().BeTrue();
    }

    [Fact]
    public async Task Cleanup_deletes_expired_outcomes_and_dead_claims_but_never_a_live_claim()
    {
        var store = new SqlIdempotencyStore(NewReplicaDatabase(), Protector);
        var expired = Key with { RequestId = "expired" };
        var kept = Key with { RequestId = "kept" };
        var liveClaim = Key with { RequestId = "live-claim" };
        var deadClaim = Key with { RequestId = "dead-claim" };
        await CompleteAsync(store, expired, T0, retention: TimeSpan.FromHours(1));
        await CompleteAsync(store, kept, T0, retention: TimeSpan.FromHours(24));
        // A claim whose retention has passed but whose claim is still live (an extreme configuration).
        await store.TryClaimAsync(liveClaim, Fp, T0, T0.AddHours(3), T0.AddHours(1), Ct);
        await store.TryClaimAsync(deadClaim, Fp, T0, T0.AddMinutes(2), T0.AddHours(1), Ct);

        var deleted = await store.DeleteExpiredAsync(T0.AddHours(2), Ct);

        deleted.Should().Be(2);
        (await store.TryClaimAsync(kept, Fp, T0.AddHours(2), T0.AddHours(3), T0.AddHours(26), Ct)).State.Should().Be(IdempotencyClaimState.Completed);
        (await store.TryClaimAsync(liveClaim, Fp, T0.AddHours(2), T0.AddHours(3), T0.AddHours(26), Ct)).State.Should().Be(IdempotencyClaimState.InProgress);
        (await store.TryClaimAsync(expired, OtherFp, T0.AddHours(2), T0.AddHours(3), T0.AddHours(26), Ct)).State
            .Should().Be(IdempotencyClaimState.Acquired, "an expired key is free again, for any request");
    }

    [Fact]
    public async Task The_cleanup_service_migrates_at_start_and_deletes_what_the_retention_lets_go()
    {
        var database = NewReplicaDatabase();
        var store = new SqlIdempotencyStore(database, Protector);
        var time = new ManualTimeProvider();
        var options = Microsoft.Extensions.Options.Options.Create(new IdempotencyOptions { CleanupInterval = TimeSpan.FromHours(1) });
        using var service = new IdempotencyCleanupService(database, store, options, time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<IdempotencyCleanupService>.Instance);
        await service.StartAsync(Ct);
        (await database.SchemaVersionAsync(Ct)).Should().Be(database.LatestVersion);
        var now = time.GetUtcNow();
        await CompleteAsync(store, Key, now, retention: TimeSpan.FromHours(1));

        (await service.CleanUpOnceAsync(Ct)).Should().Be(0);
        time.Advance(TimeSpan.FromHours(1));
        (await service.CleanUpOnceAsync(Ct)).Should().Be(1);

        await service.StopAsync(Ct);
    }

    [Fact]
    public async Task An_outcome_past_its_retention_is_not_replayed_even_before_cleanup_runs()
    {
        var store = new SqlIdempotencyStore(NewReplicaDatabase(), Protector);
        await CompleteAsync(store, Key, T0, retention: TimeSpan.FromHours(1));

        var claim = await store.TryClaimAsync(Key, Fp, T0.AddHours(2), T0.AddHours(2).AddMinutes(2), T0.AddHours(26), Ct);

        claim.State.Should().Be(IdempotencyClaimState.Acquired);
    }

    // ---- the ledger ----

    [Fact]
    public async Task The_ledger_lists_events_oldest_first_with_every_field_stamped_with_when_it_recorded_them()
    {
        var clock = new ManualTimeProvider(T0);
        await using var ledger = new SqlShareLedger(NewReplicaDatabase(), clock);
        // The times the events carry are not what is stored: the ledger stamps its commit time.
        var first = Event(T0.AddHours(5), applicant: "a1") with
        {
            Outcome = "FailedPrecondition",
            ErrorReason = "SHARE_TOKEN_REJECTED",
            UpstreamCorrelationId = "corr-1",
            RequestId = "req-9",
        };
        var second = Event(T0.AddHours(-5), applicant: "a2");
        await ledger.RecordAsync(first, Ct);
        clock.Advance(TimeSpan.FromSeconds(1));
        await ledger.RecordAsync(second, Ct);

        var events = await ledger.ListAsync(new ShareEventFilter(null, null, null, null, null), null, 10, Ct);

        events.Should().HaveCount(2);
        events[0].Should().BeEquivalentTo(first with { OccurredAt = T0 }, options => options.Excluding(e => e.Id));
        events[1].Should().BeEquivalentTo(second with { OccurredAt = T0.AddSeconds(1) }, options => options.Excluding(e => e.Id));
        events[0].Id.Should().BePositive().And.NotBe(events[1].Id);
    }

    [Fact]
    public async Task The_ledger_never_stamps_a_later_commit_earlier_even_when_the_clock_steps_back()
    {
        var clock = new ManualTimeProvider(T0);
        await using var ledger = new SqlShareLedger(NewReplicaDatabase(), clock);
        await ledger.RecordAsync(Event(T0, applicant: "a1"), Ct);
        clock.Advance(TimeSpan.FromMinutes(-10));
        await ledger.RecordAsync(Event(T0, applicant: "a2"), Ct);

        var events = await ledger.ListAsync(new ShareEventFilter(null, null, null, null, null), null, 10, Ct);

        events.Select(e => (e.ApplicantId, e.OccurredAt)).Should().Equal(("a1", T0), ("a2", T0));
    }

    [Fact]
    public async Task An_event_that_commits_after_a_reader_paged_past_the_time_it_was_queued_with_is_still_read()
    {
        await using var ledger = new SqlShareLedger(NewReplicaDatabase(), TimeProvider.System);
        var filter = new ShareEventFilter(null, null, null, null, null);
        var now = TimeProvider.System.GetUtcNow();
        await ledger.RecordAsync(Event(now, applicant: "committed-first"), Ct);
        var page = await ledger.ListAsync(filter, null, 10, Ct);
        page.Select(e => e.ApplicantId).Should().Equal("committed-first");

        // Its action finished first (an earlier time in hand), but it commits after the reader's page.
        await ledger.RecordAsync(Event(now.AddMinutes(-1), applicant: "committed-late"), Ct);

        var next = await ledger.ListAsync(filter, new ShareEventCursor(page[^1].OccurredAt, page[^1].Id), 10, Ct);
        next.Select(e => e.ApplicantId).Should().Equal("committed-late");
    }

    [Fact]
    public async Task A_reader_paging_while_events_are_recorded_concurrently_sees_each_once_in_occurred_at_order()
    {
        await using var ledger = new SqlShareLedger(NewReplicaDatabase(), TimeProvider.System);
        await using var reader = new SqlShareLedger(NewReplicaDatabase(), TimeProvider.System);
        var filter = new ShareEventFilter(null, null, null, null, null);
        const int waves = 20;
        const int perWave = 10;
        var start = TimeProvider.System.GetUtcNow();

        // Waves of concurrent calls, each wave holding earlier times than the last (as actions
        // that finished earlier but reached the ledger later would).
        var writing = Task.Run(async () =>
        {
            for (var wave = 0; wave < waves; wave++)
            {
                await Task.WhenAll(Enumerable.Range(0, perWave).Select(i =>
                    Task.Run(() => ledger.RecordAsync(Event(start.AddSeconds(-wave), applicant: $"w{wave}-{i}"), Ct), Ct)));
            }
        }, Ct);

        var seen = new List<ShareEvent>();
        ShareEventCursor? after = null;
        while (true)
        {
            // Read before the page: once the writer has ended (done or failed), an empty page is the end.
            var done = writing.IsCompleted;
            var page = await reader.ListAsync(filter, after, 7, Ct);
            seen.AddRange(page);
            if (page.Count > 0)
            {
                after = new ShareEventCursor(page[^1].OccurredAt, page[^1].Id);
            }
            else if (done)
            {
                break;
            }
            else
            {
                await Task.Delay(1, Ct);
            }
        }
        await writing;

        seen.Select(e => e.ApplicantId).Should().OnlyHaveUniqueItems()
            .And.BeEquivalentTo(Enumerable.Range(0, waves).SelectMany(w => Enumerable.Range(0, perWave).Select(i => $"w{w}-{i}")), "no event is skipped");
        seen.Select(e => (e.OccurredAt, e.Id)).Should().BeInAscendingOrder(Comparer<(DateTimeOffset, long)>.Default);
        seen.Select(e => e.Id).Should().BeInAscendingOrder("within one process occurred_at order is commit order");
    }

    [Fact]
    public async Task The_ledger_filters_by_applicant_recipient_caller_and_time_range()
    {
        var clock = new ManualTimeProvider(T0);
        await using var ledger = new SqlShareLedger(NewReplicaDatabase(), clock);
        await ledger.RecordAsync(Event(T0, applicant: "a1", recipient: "partner", caller: "billing"), Ct);
        clock.Advance(TimeSpan.FromMinutes(1));
        await ledger.RecordAsync(Event(T0, applicant: "a2", recipient: "partner", caller: "onboarding"), Ct);
        clock.Advance(TimeSpan.FromMinutes(1));
        await ledger.RecordAsync(Event(T0, applicant: "a1", recipient: "banxa-ref", caller: "billing"), Ct);
        clock.Advance(TimeSpan.FromMinutes(1));
        await ledger.RecordAsync(Event(T0, applicant: null, recipient: null, caller: "billing"), Ct);

        async Task<string[]> List(ShareEventFilter filter) =>
            [.. (await ledger.ListAsync(filter, null, 100, Ct)).Select(e => $"{e.ApplicantId}>{e.Recipient}@{e.Caller}")];

        (await List(new ShareEventFilter("a1", null, null, null, null))).Should().Equal("a1>partner@billing", "a1>banxa-ref@billing");
        (await List(new ShareEventFilter(null, "partner", null, null, null))).Should().Equal("a1>partner@billing", "a2>partner@onboarding");
        (await List(new ShareEventFilter(null, null, "onboarding", null, null))).Should().Equal("a2>partner@onboarding");
        (await List(new ShareEventFilter("a1", "banxa-ref", "billing", null, null))).Should().Equal("a1>banxa-ref@billing");
        (await List(new ShareEventFilter(null, null, null, T0.AddMinutes(1), T0.AddMinutes(3)))).Should()
            .Equal(["a2>partner@onboarding", "a1>banxa-ref@billing"], "start is inclusive, end exclusive");
    }

    [Fact]
    public async Task The_ledger_pages_by_keyset_through_events_that_share_an_instant()
    {
        var clock = new ManualTimeProvider(T0);
        await using var ledger = new SqlShareLedger(NewReplicaDatabase(), clock);
        for (var i = 0; i < 7; i++)
        {
            // Pairs of events at the same instant: the id breaks the tie.
            await ledger.RecordAsync(Event(T0, applicant: $"a{i}"), Ct);
            if (i % 2 == 1)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
            }
        }
        var filter = new ShareEventFilter(null, null, null, null, null);

        var seen = new List<string>();
        ShareEventCursor? after = null;
        for (var page = 0; page < 10; page++)
        {
            var events = await ledger.ListAsync(filter, after, 3, Ct);
            seen.AddRange(events.Select(e => e.ApplicantId!));
            if (events.Count < 3)
            {
                break;
            }
            after = new ShareEventCursor(events[^1].OccurredAt, events[^1].Id);
        }

        seen.Should().Equal("a0", "a1", "a2", "a3", "a4", "a5", "a6");
    }

    [Fact]
    public async Task Concurrent_records_beyond_one_batch_are_each_written_once_in_queue_order()
    {
        await using var ledger = new SqlShareLedger(NewReplicaDatabase(), TimeProvider.System);

        // More than one statement's worth, queued at once: the writer commits them in batches.
        var records = Enumerable.Range(0, SqlShareLedger.MaxBatch * 2 + 7)
            .Select(i => ledger.RecordAsync(Event(T0.AddSeconds(i), applicant: $"a{i}"), Ct)).ToArray();
        await Task.WhenAll(records).WaitAsync(LedgerPatience, Ct);

        // Read through another replica's database object: committed, not just queued.
        var events = await new SqlShareLedger(NewReplicaDatabase(), TimeProvider.System).ListAsync(new ShareEventFilter(null, null, null, null, null), null, 1000, Ct);
        events.Select(e => e.ApplicantId).Should().Equal(Enumerable.Range(0, records.Length).Select(i => $"a{i}"));
        events.Select(e => e.Id).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Disposing_the_ledger_writes_everything_queued_then_refuses_new_events()
    {
        var database = NewReplicaDatabase();
        var ledger = new SqlShareLedger(database, TimeProvider.System);
        var records = Enumerable.Range(0, 50).Select(i => ledger.RecordAsync(Event(T0, applicant: $"a{i}"), Ct)).ToArray();

        await ledger.DisposeAsync();

        (await CountRowsAsync(database, "share_events")).Should().Be(50, "disposing drains the queue");
        await Task.WhenAll(records).WaitAsync(LedgerPatience, Ct);
        await ledger.Awaiting(l => l.RecordAsync(Event(T0), Ct)).Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task A_failed_write_fails_each_caller_whose_event_it_held_and_the_ledger_keeps_working()
    {
        var database = NewReplicaDatabase();
        await database.MigrateAsync(Ct);
        await ExecuteAsync(database, "ALTER TABLE share_events RENAME TO share_events_away");
        await using var ledger = new SqlShareLedger(database, TimeProvider.System);

        var records = Enumerable.Range(0, 20).Select(i => ledger.RecordAsync(Event(T0, applicant: $"a{i}"), Ct)).ToArray();
        foreach (var record in records)
        {
            await record.Awaiting(r => r.WaitAsync(LedgerPatience, Ct)).Should().ThrowAsync<System.Data.Common.DbException>();
        }

        await ExecuteAsync(database, "ALTER TABLE share_events_away RENAME TO share_events");
        await ledger.RecordAsync(Event(T0, applicant: "after"), Ct);
        (await CountRowsAsync(database, "share_events")).Should().Be(1);
    }

    [Fact]
    public async Task An_event_the_database_refuses_fails_only_its_own_call_not_the_others_in_its_batch()
    {
        var database = NewReplicaDatabase();
        await database.MigrateAsync(Ct);
        await ExecuteAsync(database, RefuseApplicantTrigger(database.Provider, "refused"));
        await using var ledger = new SqlShareLedger(database, TimeProvider.System);

        // Queued at once, so the refused event shares a transaction with many others.
        var applicants = Enumerable.Range(0, 300).Select(i => i == 150 ? "refused" : $"a{i}").ToArray();
        var records = applicants.Select(applicant => ledger.RecordAsync(Event(T0, applicant: applicant), Ct)).ToArray();

        await records[150].Awaiting(r => r.WaitAsync(LedgerPatience, Ct)).Should().ThrowAsync<System.Data.Common.DbException>();
        await Task.WhenAll(records.Where((_, i) => i != 150)).WaitAsync(LedgerPatience, Ct);
        var written = await ledger.ListAsync(new ShareEventFilter(null, null, null, null, null), null, 1000, Ct);
        written.Select(e => e.ApplicantId).Should().BeEquivalentTo(applicants.Where(a => a != "refused"));
    }

    /// <summary>A trigger that makes the database refuse any share event for <paramref name="applicant"/>.</summary>
    private static string RefuseApplicantTrigger(StorageProvider provider, string applicant) => provider switch
    {
        StorageProvider.Sqlite => $"""
            CREATE TRIGGER refuse_applicant BEFORE INSERT ON share_events WHEN NEW.applicant_id = '{applicant}'
            BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
            """,
        _ => $"""
            CREATE FUNCTION refuse_applicant() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.applicant_id = '{applicant}' THEN RAISE EXCEPTION 'refused by the test'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_applicant BEFORE INSERT ON share_events FOR EACH ROW EXECUTE FUNCTION refuse_applicant();
            """,
    };

    // ---- idempotency through the real pipeline ----

    [Fact]
    public async Task A_sequential_retry_returns_the_stored_outcome_without_a_second_upstream_call()
    {
        var sumsub = new CountingSumsub();
        await using var replica = new ReplicaPipeline(NewReplicaDatabase(), sumsub);

        var first = await replica.Send(Import());
        var retry = await replica.Send(Import());

        first.IsSuccess.Should().BeTrue();
        retry.Value.Should().Be(first.Value);
        sumsub.Imports.Should().Be(1);
    }

    [Fact]
    public async Task Fifty_concurrent_duplicates_make_one_upstream_call_and_all_get_its_answer()
    {
        var sumsub = new CountingSumsub { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var replica = new ReplicaPipeline(NewReplicaDatabase(), sumsub);

        var calls = Enumerable.Range(0, 50).Select(_ => Task.Run(() => replica.Send(Import()), Ct)).ToArray();
        await sumsub.FirstImportStarted.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        sumsub.Gate.SetResult();
        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        sumsub.Imports.Should().Be(1);
        results.Should().OnlyContain(r => r.IsSuccess && r.Value == results[0].Value);
    }

    [Fact]
    public async Task Duplicates_across_two_replicas_sharing_the_database_make_one_upstream_call()
    {
        var sumsub = new CountingSumsub { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var replicaA = new ReplicaPipeline(NewReplicaDatabase(), sumsub);
        await using var replicaB = new ReplicaPipeline(NewReplicaDatabase(), sumsub);

        var calls = Enumerable.Range(0, 40)
            .Select(i => Task.Run(() => (i % 2 == 0 ? replicaA : replicaB).Send(Import()), Ct))
            .ToArray();
        await sumsub.FirstImportStarted.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        sumsub.Gate.SetResult();
        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        sumsub.Imports.Should().Be(1);
        results.Should().OnlyContain(r => r.IsSuccess && r.Value == results[0].Value);
    }

    [Fact]
    public async Task The_same_request_id_with_a_different_request_is_refused_without_an_upstream_call()
    {
        var sumsub = new CountingSumsub();
        await using var replica = new ReplicaPipeline(NewReplicaDatabase(), sumsub);
        await replica.Send(Import());

        var reused = await replica.Send(Import(userId: "someone-else"));

        reused.Error!.Kind.Should().Be(ErrorKind.IdempotencyMismatch);
        reused.Error.Reason.Should().Be("REQUEST_ID_REUSED");
        sumsub.Imports.Should().Be(1);
    }

    [Fact]
    public async Task A_terminal_failure_is_replayed_to_a_retry()
    {
        var rejected = new Error(ErrorKind.FailedPrecondition, "SHARE_TOKEN_REJECTED", "The share token was rejected")
        {
            Upstream = new UpstreamFailure("sumsub", 400, "1003", "corr-7"),
        };
        var sumsub = new CountingSumsub { ImportOutcome = _ => rejected };
        await using var replica = new ReplicaPipeline(NewReplicaDatabase(), sumsub);

        var first = await replica.Send(Import());
        var retry = await replica.Send(Import());

        first.Error.Should().BeEquivalentTo(rejected);
        retry.Error.Should().BeEquivalentTo(rejected);
        sumsub.Imports.Should().Be(1);
    }

    [Fact]
    public async Task A_transient_failure_is_not_stored_so_the_retry_calls_the_upstream_again()
    {
        var sumsub = new CountingSumsub();
        var success = sumsub.ImportOutcome;
        sumsub.ImportOutcome = call => call == 1
            ? new Error(ErrorKind.Unavailable, "UPSTREAM_UNAVAILABLE", "Sumsub is unavailable") { RetryAfter = TimeSpan.FromSeconds(1) }
            : success(call);
        await using var replica = new ReplicaPipeline(NewReplicaDatabase(), sumsub);

        var first = await replica.Send(Import());
        var retry = await replica.Send(Import());
        var again = await replica.Send(Import());

        first.Error!.Kind.Should().Be(ErrorKind.Unavailable);
        retry.Value.Id.Should().Be("applicant2");
        again.Value.Should().Be(retry.Value);
        sumsub.Imports.Should().Be(2);
    }

    [Fact]
    public async Task The_ledger_records_each_action_that_ran_once_and_no_replay()
    {
        var sumsub = new CountingSumsub();
        var database = NewReplicaDatabase();
        await using var replica = new ReplicaPipeline(database, sumsub);

        await replica.Send(Import());
        await replica.Send(Import());
        await replica.Send(Import(requestId: "req-2", token: "_act-second"));

        var events = await new SqlShareLedger(database, TimeProvider.System).ListAsync(new ShareEventFilter(null, null, null, null, null), null, 100, Ct);
        events.Select(e => (e.Caller, e.Rpc, e.Account, e.ApplicantId, e.Recipient, e.Outcome, e.RequestId)).Should().Equal(
            ("billing", "ImportApplicant", "main", "applicant1", "our-client", "OK", "req-1"),
            ("billing", "ImportApplicant", "main", "applicant2", "our-client", "OK", "req-2"));
    }

    private static async Task CompleteAsync(SqlIdempotencyStore store, IdempotencyKey key, DateTimeOffset at, TimeSpan retention)
    {
        var claim = await store.TryClaimAsync(key, Fp, at, at.AddMinutes(2), at + retention, Ct);
        claim.State.Should().Be(IdempotencyClaimState.Acquired);
        (await store.CompleteAsync(key, claim.ClaimToken!, "{}", at + retention, Ct)).Should().BeTrue();
    }

    protected static ShareEvent Event(DateTimeOffset at, string? applicant = "a1", string? recipient = "partner", string caller = "billing") =>
        new(0, at, caller, "GenerateShareToken", "main", applicant, recipient, ShareEvent.OutcomeOk, null, null, null);

    private static async Task ExecuteAsync(SqlDatabase database, string sql)
    {
        var connection = await database.OpenAsync(Ct);
        await using (connection)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(Ct);
        }
    }

    private static Task<string> ReadOutcomeColumnAsync(SqlDatabase database, IdempotencyKey key) => ReadRecordColumnAsync(database, key, "outcome");

    private static Task<string> ReadFingerprintColumnAsync(SqlDatabase database, IdempotencyKey key) => ReadRecordColumnAsync(database, key, "fingerprint");

    private static async Task<string> ReadRecordColumnAsync(SqlDatabase database, IdempotencyKey key, string column)
    {
        var connection = await database.OpenAsync(Ct);
        await using (connection)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {column} FROM idempotency_records WHERE caller = '{key.Caller}' AND rpc = '{key.Rpc}' AND request_id = '{key.RequestId}'";
            return (string)(await command.ExecuteScalarAsync(Ct))!;
        }
    }

    /// <summary>The fingerprint as releases before keyed fingerprints computed it: the plain SHA-256 of the type name and the JSON.</summary>
    private static string PlainSha256<TRequest>(TRequest request) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            [.. System.Text.Encoding.UTF8.GetBytes(typeof(TRequest).FullName + "\n"), .. System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(request)]));

    protected static async Task<long> CountRowsAsync(SqlDatabase database, string table)
    {
        var connection = await database.OpenAsync(Ct);
        await using (connection)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table}";
            return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}

/// <summary>The contract on SQLite: a file in a temp directory per test.</summary>
public sealed class SqliteStorageTests : StorageContractTests
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("identitysharing-sqlite-");

    protected override Task<string> CreateEmptyDatabaseAsync() =>
        Task.FromResult($"Data Source={Path.Combine(_directory.FullName, "test.db")}");

    protected override SqlDatabase Connect(string connectionString) => new SqliteDatabase(connectionString, _directory.FullName);

    protected override ValueTask DeleteDatabaseAsync()
    {
        _directory.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The contract on a real PostgreSQL server: a new database per test.</summary>
public sealed class PostgresStorageTests(PostgresServer server) : StorageContractTests
{
    protected override Task<string> CreateEmptyDatabaseAsync() => server.CreateDatabaseAsync();

    protected override SqlDatabase Connect(string connectionString) => new PostgresDatabase(connectionString);

    /// <summary>A proxy in front of this test's server, and a database object that connects through it (migrated).</summary>
    private async Task<(FlakyTcpProxy Proxy, SqlDatabase Database)> ThroughProxyAsync()
    {
        var direct = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
        var proxy = new FlakyTcpProxy(new System.Net.IPEndPoint(System.Net.IPAddress.Parse(direct.Host!), direct.Port));
        // No SSL or GSS negotiation (the test server has neither): with it, Npgsql may connect
        // again after a refused negotiation, and one open would cost a varying number of refusals.
        var database = NewReplicaDatabase(new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString)
        {
            Port = proxy.Port,
            SslMode = Npgsql.SslMode.Disable,
            GssEncryptionMode = Npgsql.GssEncryptionMode.Disable,
        }.ToString());
        await database.MigrateAsync(Ct);
        return (proxy, database);
    }

    [Fact]
    public async Task A_batch_whose_connection_fails_to_open_is_retried_and_every_event_is_written_once()
    {
        var (proxy, database) = await ThroughProxyAsync();
        await using (proxy)
        {
            await using var ledger = new SqlShareLedger(database, TimeProvider.System);
            proxy.RefuseNext(SqlShareLedger.WriteAttempts - 1);

            var records = Enumerable.Range(0, 40).Select(i => ledger.RecordAsync(Event(T0, applicant: $"a{i}"), Ct)).ToArray();
            await Task.WhenAll(records).WaitAsync(LedgerPatience, Ct);

            proxy.Refused.Should().Be(SqlShareLedger.WriteAttempts - 1, "the first connections were refused, and the batch tried again");
            var written = await ledger.ListAsync(new ShareEventFilter(null, null, null, null, null), null, 1000, Ct);
            written.Select(e => e.ApplicantId).Should().BeEquivalentTo(Enumerable.Range(0, 40).Select(i => $"a{i}"));
        }
    }

    [Fact]
    public async Task A_batch_whose_connection_never_opens_fails_its_callers_after_a_few_attempts_and_the_ledger_recovers()
    {
        var (proxy, database) = await ThroughProxyAsync();
        await using (proxy)
        {
            await using var ledger = new SqlShareLedger(database, TimeProvider.System);
            proxy.RefuseNext(int.MaxValue);

            var failing = ledger.RecordAsync(Event(T0, applicant: "refused"), Ct);

            await failing.Awaiting(r => r.WaitAsync(LedgerPatience, Ct)).Should().ThrowAsync<Npgsql.NpgsqlException>();
            proxy.Refused.Should().Be(SqlShareLedger.WriteAttempts, "the retries are bounded");
            proxy.RefuseNext(0);
            await ledger.RecordAsync(Event(T0, applicant: "after"), Ct);
            (await ledger.ListAsync(new ShareEventFilter(null, null, null, null, null), null, 10, Ct)).Select(e => e.ApplicantId).Should().Equal("after");
        }
    }

    [Fact]
    public async Task A_batch_whose_connection_is_lost_after_its_statement_was_sent_is_not_written_again()
    {
        var (proxy, database) = await ThroughProxyAsync();
        await using (proxy)
        {
            await using var ledger = new SqlShareLedger(database, TimeProvider.System);
            proxy.CutAfterStatementContaining("INSERT INTO share_events");

            var records = Enumerable.Range(0, 20).Select(i => ledger.RecordAsync(Event(T0, applicant: $"a{i}"), Ct)).ToArray();
            foreach (var record in records)
            {
                await record.Awaiting(r => r.WaitAsync(LedgerPatience, Ct)).Should().ThrowAsync<Npgsql.NpgsqlException>("whether it was written is unknown to the ledger");
            }

            proxy.CutAfterStatementContaining(null);
            var written = await new SqlShareLedger(NewReplicaDatabase(), TimeProvider.System)
                .ListAsync(new ShareEventFilter(null, null, null, null, null), null, 1000, Ct);
            written.Select(e => e.ApplicantId).Should().OnlyHaveUniqueItems("an insert that may have run is never sent again")
                .And.BeEquivalentTo(Enumerable.Range(0, 20).Select(i => $"a{i}"), "the server ran each statement before the proxy cut its answer");
            proxy.Cut.Should().BePositive();
        }
    }
}
