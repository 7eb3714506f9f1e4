using System.Data.Common;
using Npgsql;

namespace IdentitySharing.Infrastructure.Storage;

/// <summary>
/// A PostgreSQL database shared by every replica. Migrations take a transaction-scoped
/// advisory lock first, so replicas starting together apply them one after another.
/// </summary>
public sealed class PostgresDatabase(string connectionString) : SqlDatabase
{
    /// <summary>The advisory lock key for migrations ("IdSh" in ASCII).</summary>
    public const long MigrationLockKey = 0x49_64_53_68;

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public override StorageProvider Provider => StorageProvider.Postgres;

    internal override IReadOnlyList<Migration> Migrations => Schema.Postgres;

    protected override DbConnection CreateConnection() => _dataSource.CreateConnection();

    protected override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT pg_advisory_xact_lock({MigrationLockKey})";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
