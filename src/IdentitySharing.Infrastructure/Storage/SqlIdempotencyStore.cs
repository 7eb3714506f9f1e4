using System.Data;
using System.Data.Common;
using IdentitySharing.Application.Idempotency;

namespace IdentitySharing.Infrastructure.Storage;

/// <summary>
/// <see cref="IIdempotencyStore"/> on SQLite or PostgreSQL. Every step is one atomic statement,
/// so replicas sharing the database need no other coordination:
/// <list type="number">
/// <item>claim: <c>INSERT ... ON CONFLICT DO NOTHING</c> of a pending row; one inserter wins;</item>
/// <item>otherwise read the row: a different fingerprint is a mismatch (one made under another
/// fingerprint key is refused as unreadable instead), a completed row is replayed, a live
/// pending claim means "wait";</item>
/// <item>an expired pending claim (its owner crashed) is taken over by an <c>UPDATE</c> that
/// only matches the old claim token, so exactly one caller takes it, and learns from the row's
/// <c>created_at</c> (never changed by a takeover) when the first attempt began;</item>
/// <item>an abandoned claim is a pending row whose claim ended at once, taken over the same way;</item>
/// <item>a running owner renews its live claim by an <c>UPDATE</c> that only matches its own claim token;</item>
/// <item>a row past its retention counts as absent: it is deleted and the claim retried.</item>
/// </list>
/// Outcomes are stored encrypted (<see cref="OutcomeProtector"/>).
/// </summary>
public sealed class SqlIdempotencyStore(SqlDatabase database, OutcomeProtector protector) : IIdempotencyStore
{
    private const string Pending = "pending";
    private const string Complete = "complete";
    private const string KeyMatch = "caller = @caller AND rpc = @rpc AND request_id = @request_id";

    public async Task<IdempotencyClaim> TryClaimAsync(IdempotencyKey key, RequestFingerprint fingerprint, DateTimeOffset now, DateTimeOffset claimUntil, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(fingerprint);
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // Each pass either decides or observes a row that changed under it; a few passes settle any race.
            for (var attempt = 0; attempt < 10; attempt++)
            {
                var claimToken = Guid.NewGuid().ToString("N");
                await using (var insert = Command(connection, key, $"""
                    INSERT INTO idempotency_records (caller, rpc, request_id, fingerprint, state, claim_token, claimed_until, outcome, created_at, expires_at)
                    VALUES (@caller, @rpc, @request_id, @fingerprint, '{Pending}', @claim_token, @claimed_until, NULL, @now, @expires_at)
                    ON CONFLICT (caller, rpc, request_id) DO NOTHING
                    """))
                {
                    insert.AddParameter("fingerprint", fingerprint.Value, DbType.String);
                    insert.AddParameter("claim_token", claimToken, DbType.String);
                    insert.AddParameter("claimed_until", StorageTime.ToMicroseconds(claimUntil), DbType.Int64);
                    insert.AddParameter("now", StorageTime.ToMicroseconds(now), DbType.Int64);
                    insert.AddParameter("expires_at", StorageTime.ToMicroseconds(expiresAt), DbType.Int64);
                    if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
                    {
                        return IdempotencyClaim.Acquired(claimToken);
                    }
                }

                var row = await ReadAsync(connection, key, cancellationToken).ConfigureAwait(false);
                if (row is null)
                {
                    continue; // released or cleaned up in between
                }
                var nowMicros = StorageTime.ToMicroseconds(now);
                var claimLive = row.State == Pending && row.ClaimedUntil > nowMicros;
                if (row.ExpiresAt <= nowMicros && !claimLive)
                {
                    await DeleteIfUnchangedAsync(connection, key, row, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                // Rows written before fingerprints were keyed hold the unkeyed hash: Matches accepts
                // it, so a retry spanning the upgrade is still the same request.
                if (!fingerprint.Matches(row.Fingerprint))
                {
                    if (fingerprint.IsUnderAnotherKey(row.Fingerprint))
                    {
                        // The key was rotated: like an outcome sealed under the old key, the row
                        // is refused until it expires, neither re-run nor called a reused request_id.
                        throw new OutcomeUnreadableException(
                            $"A stored idempotency record was fingerprinted under another key: {OutcomeProtector.KeySetting} (or the Sumsub secrets it is derived from) changed since it was stored");
                    }
                    return IdempotencyClaim.Mismatch;
                }
                if (row.State == Complete)
                {
                    return IdempotencyClaim.Completed(protector.Unprotect(
                        row.Outcome ?? throw new InvalidOperationException("A completed idempotency record has no outcome"), key));
                }
                if (claimLive)
                {
                    return IdempotencyClaim.InProgress;
                }
                if (await TakeOverAsync(connection, key, row.ClaimToken, claimToken, claimUntil, expiresAt, cancellationToken).ConfigureAwait(false))
                {
                    return IdempotencyClaim.Acquired(claimToken, StorageTime.FromMicroseconds(row.CreatedAt));
                }
            }
        }
        // Only under pathological churn on one key: let the caller wait and ask again.
        return IdempotencyClaim.InProgress;
    }

    public async Task<bool> CompleteAsync(IdempotencyKey key, string claimToken, string outcome, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var update = Command(connection, key, $"""
                UPDATE idempotency_records SET state = '{Complete}', outcome = @outcome, claim_token = NULL, expires_at = @expires_at
                WHERE {KeyMatch} AND state = '{Pending}' AND claim_token = @claim_token
                """);
            update.AddParameter("outcome", protector.Protect(outcome, key), DbType.String);
            update.AddParameter("expires_at", StorageTime.ToMicroseconds(expiresAt), DbType.Int64);
            update.AddParameter("claim_token", claimToken, DbType.String);
            return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
    }

    public async Task<bool> RenewAsync(IdempotencyKey key, string claimToken, DateTimeOffset now, DateTimeOffset claimUntil, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // Only a live claim: an abandoned one (its claim ended at once) or an expired one stays ended.
            await using var update = Command(connection, key, $"""
                UPDATE idempotency_records SET claimed_until = @claimed_until
                WHERE {KeyMatch} AND state = '{Pending}' AND claim_token = @claim_token AND claimed_until > @now
                """);
            update.AddParameter("claimed_until", StorageTime.ToMicroseconds(claimUntil), DbType.Int64);
            update.AddParameter("claim_token", claimToken, DbType.String);
            update.AddParameter("now", StorageTime.ToMicroseconds(now), DbType.Int64);
            return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
    }

    public async Task ReleaseAsync(IdempotencyKey key, string claimToken, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var delete = Command(connection, key, $"DELETE FROM idempotency_records WHERE {KeyMatch} AND state = '{Pending}' AND claim_token = @claim_token");
            delete.AddParameter("claim_token", claimToken, DbType.String);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task AbandonAsync(IdempotencyKey key, string claimToken, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var update = Command(connection, key,
                $"UPDATE idempotency_records SET claimed_until = @now WHERE {KeyMatch} AND state = '{Pending}' AND claim_token = @claim_token");
            update.AddParameter("now", StorageTime.ToMicroseconds(now), DbType.Int64);
            update.AddParameter("claim_token", claimToken, DbType.String);
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await using var delete = connection.CreateCommand();
            delete.CommandText = $"DELETE FROM idempotency_records WHERE expires_at <= @now AND (state = '{Complete}' OR claimed_until <= @now)";
            delete.AddParameter("now", StorageTime.ToMicroseconds(now), DbType.Int64);
            return await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static DbCommand Command(DbConnection connection, IdempotencyKey key, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.AddParameter("caller", key.Caller, DbType.String);
        command.AddParameter("rpc", key.Rpc, DbType.String);
        command.AddParameter("request_id", key.RequestId, DbType.String);
        return command;
    }

    private static async Task<Row?> ReadAsync(DbConnection connection, IdempotencyKey key, CancellationToken cancellationToken)
    {
        await using var select = Command(connection, key,
            $"SELECT fingerprint, state, claim_token, claimed_until, outcome, expires_at, created_at FROM idempotency_records WHERE {KeyMatch}");
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }
        return new Row(reader.GetString(0), reader.GetString(1), reader.GetNullableString(2), reader.GetInt64(3), reader.GetNullableString(4), reader.GetInt64(5), reader.GetInt64(6));
    }

    private static async Task DeleteIfUnchangedAsync(DbConnection connection, IdempotencyKey key, Row row, CancellationToken cancellationToken)
    {
        await using var delete = Command(connection, key,
            $"DELETE FROM idempotency_records WHERE {KeyMatch} AND state = @state AND expires_at = @expires_at AND claimed_until = @claimed_until");
        delete.AddParameter("state", row.State, DbType.String);
        delete.AddParameter("expires_at", row.ExpiresAt, DbType.Int64);
        delete.AddParameter("claimed_until", row.ClaimedUntil, DbType.Int64);
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> TakeOverAsync(DbConnection connection, IdempotencyKey key, string? expiredToken, string claimToken,
        DateTimeOffset claimUntil, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var update = Command(connection, key, $"""
            UPDATE idempotency_records SET claim_token = @claim_token, claimed_until = @claimed_until, expires_at = @expires_at
            WHERE {KeyMatch} AND state = '{Pending}' AND claim_token = @expired_token
            """);
        update.AddParameter("claim_token", claimToken, DbType.String);
        update.AddParameter("claimed_until", StorageTime.ToMicroseconds(claimUntil), DbType.Int64);
        update.AddParameter("expires_at", StorageTime.ToMicroseconds(expiresAt), DbType.Int64);
        update.AddParameter("expired_token", expiredToken, DbType.String);
        return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private sealed record Row(string Fingerprint, string State, string? ClaimToken, long ClaimedUntil, string? Outcome, long ExpiresAt, long CreatedAt);
}
