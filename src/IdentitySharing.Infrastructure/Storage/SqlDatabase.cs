using System.Data;
using System.Data.Common;

namespace IdentitySharing.Infrastructure.Storage;

/// <summary>One versioned schema change, applied once, in order.</summary>
internal sealed record Migration(int Version, string Description, string Sql);

/// <summary>
/// A database the stores use: opens connections, and on first use brings the schema up to
/// date. Migrations run under a lock that spans replicas (a PostgreSQL advisory lock; SQLite's
/// write lock), so replicas that start together apply each migration exactly once, and each
/// migration and its <c>schema_version</c> row commit together.
/// </summary>
public abstract class SqlDatabase : IAsyncDisposable
{
    private readonly SemaphoreSlim _migrationGate = new(1, 1);
    private volatile bool _migrated;

    /// <summary>The provider, for the few statements that differ.</summary>
    public abstract StorageProvider Provider { get; }

    internal abstract IReadOnlyList<Migration> Migrations { get; }

    /// <summary>The schema version the code expects (the last migration).</summary>
    public int LatestVersion => Migrations[^1].Version;

    protected abstract DbConnection CreateConnection();

    /// <summary>Runs inside the migration transaction before anything else: takes the cross-replica lock.</summary>
    protected abstract Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>Settings that must be made outside any transaction, once per database (e.g. SQLite's WAL mode).</summary>
    protected virtual Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Per connection, after opening.</summary>
    protected virtual Task ConfigureConnectionAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>An open connection to an up-to-date schema. Dispose it to return it to the pool.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_migrated)
        {
            await MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        return await OpenRawAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies pending migrations (once per process; safe when replicas run it together).</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await _migrationGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_migrated)
            {
                return;
            }
            var connection = await OpenRawAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                await PrepareAsync(connection, cancellationToken).ConfigureAwait(false);
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    await LockForMigrationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                    await ExecuteAsync(connection, transaction,
                        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                        cancellationToken).ConfigureAwait(false);
                    var current = await CurrentVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                    if (current > LatestVersion)
                    {
                        throw new InvalidOperationException(
                            $"The database schema is at version {current}, newer than this service knows ({LatestVersion}): run a newer version of the service.");
                    }
                    foreach (var migration in Migrations.Where(m => m.Version > current))
                    {
                        await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
                        await using var record = connection.CreateCommand();
                        record.Transaction = transaction;
                        record.CommandText = "INSERT INTO schema_version (version, description, applied_at) VALUES (@version, @description, @applied_at)";
                        record.AddParameter("version", migration.Version, DbType.Int32);
                        record.AddParameter("description", migration.Description, DbType.String);
                        record.AddParameter("applied_at", StorageTime.ToMicroseconds(DateTimeOffset.UtcNow), DbType.Int64);
                        await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            _migrated = true;
        }
        finally
        {
            _migrationGate.Release();
        }
    }

    /// <summary>The schema version recorded in the database (0 = none).</summary>
    public async Task<int> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await CurrentVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
        }
    }

    public virtual ValueTask DisposeAsync()
    {
        _migrationGate.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private async Task<DbConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ConfigureConnectionAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<int> CurrentVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

internal static class DbCommandExtensions
{
    public static void AddParameter(this DbCommand command, string name, object? value, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    public static string? GetNullableString(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}

/// <summary>Instants are stored as microseconds since the Unix epoch (BIGINT) on every provider: one schema, exact round trips.</summary>
internal static class StorageTime
{
    public static long ToMicroseconds(DateTimeOffset instant) => (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromMicroseconds(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
}
