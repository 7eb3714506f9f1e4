using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace IdentitySharing.Infrastructure.Storage;

/// <summary>
/// The embedded default: one SQLite file in WAL mode (readers never block the writer), with a
/// busy timeout so concurrent writers queue instead of failing. Migrations run in an
/// immediate transaction, which holds SQLite's write lock.
/// </summary>
public sealed class SqliteDatabase : SqlDatabase
{
    /// <summary>How long a statement waits for another connection's write lock.</summary>
    public const int BusyTimeoutSeconds = 30;

    private static readonly Lazy<bool> NativeLibrary = new(() =>
    {
        // The bundle package that would do this is not available; this provider loads e_sqlite3 from SourceGear.sqlite3.
        SQLitePCL.raw.SetProvider(new SQLitePCL.SQLite3Provider_e_sqlite3());
        return true;
    });

    private readonly string _connectionString;

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string.</param>
    /// <param name="baseDirectory">What a relative <c>Data Source</c> is relative to; its directory is created.</param>
    public SqliteDatabase(string connectionString, string baseDirectory)
    {
        _ = NativeLibrary.Value;
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            DefaultTimeout = BusyTimeoutSeconds,
            Pooling = true,
        };
        var inMemory = builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:";
        if (!inMemory)
        {
            builder.DataSource = Path.GetFullPath(builder.DataSource, baseDirectory);
            Directory.CreateDirectory(Path.GetDirectoryName(builder.DataSource)!);
        }
        _connectionString = builder.ToString();
        FilePath = inMemory ? null : builder.DataSource;
    }

    /// <summary>The database file, or null in memory.</summary>
    public string? FilePath { get; }

    public override StorageProvider Provider => StorageProvider.Sqlite;

    internal override IReadOnlyList<Migration> Migrations => Schema.Sqlite;

    protected override DbConnection CreateConnection() => new SqliteConnection(_connectionString);

    protected override async Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ConfigureConnectionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // Also covers BEGIN IMMEDIATE, which Microsoft.Data.Sqlite's own retry loop does not.
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutSeconds * 1000}";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // BeginTransaction is BEGIN IMMEDIATE in Microsoft.Data.Sqlite: the write lock is already held.
    protected override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open (and its WAL unmerged) until cleared.
        SqliteConnection.ClearAllPools();
        return base.DisposeAsync();
    }
}
