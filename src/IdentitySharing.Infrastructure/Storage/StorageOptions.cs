namespace IdentitySharing.Infrastructure.Storage;

/// <summary>Which database holds idempotency records and the audit ledger.</summary>
public enum StorageProvider
{
    /// <summary>An embedded SQLite file (the default): one replica.</summary>
    Sqlite,
    /// <summary>A PostgreSQL database that several replicas share.</summary>
    Postgres,
}

/// <summary>Configuration keys <c>Storage:Provider</c> and <c>Storage:ConnectionString</c>.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";
    public const string DefaultSqliteConnectionString = "Data Source=data/identitysharing.db";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>
    /// For SQLite: default <see cref="DefaultSqliteConnectionString"/>; a relative path is
    /// relative to the content root, and its directory is created on first run. For Postgres:
    /// required, an Npgsql connection string.
    /// </summary>
    public string? ConnectionString { get; set; }
}
