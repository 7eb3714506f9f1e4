using IdentitySharing.Application.Idempotency;
using IdentitySharing.Infrastructure.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IdentitySharing.Infrastructure.Tests.Storage;

/// <summary>The embedded default: where the file goes, and how it is opened.</summary>
public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly DirectoryInfo _contentRoot = Directory.CreateTempSubdirectory("identitysharing-root-");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _contentRoot.Delete(recursive: true);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task By_default_the_file_is_data_identitysharing_db_under_the_content_root_created_on_first_run()
    {
        await using var database = StorageServiceCollectionExtensions.CreateDatabase(new StorageOptions(), _contentRoot.FullName);

        await database.MigrateAsync(Ct);

        var expected = Path.Combine(_contentRoot.FullName, "data", "identitysharing.db");
        database.Should().BeOfType<SqliteDatabase>().Which.FilePath.Should().Be(expected);
        File.Exists(expected).Should().BeTrue();
    }

    [Fact]
    public async Task The_file_is_in_wal_mode_with_a_busy_timeout()
    {
        await using var database = new SqliteDatabase("Data Source=nested/dir/test.db", _contentRoot.FullName);

        var connection = await database.OpenAsync(Ct);
        await using (connection)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode";
            (await command.ExecuteScalarAsync(Ct)).Should().Be("wal");
            command.CommandText = "PRAGMA busy_timeout";
            (await command.ExecuteScalarAsync(Ct)).Should().Be((long)SqliteDatabase.BusyTimeoutSeconds * 1000);
        }
        File.Exists(Path.Combine(_contentRoot.FullName, "nested", "dir", "test.db")).Should().BeTrue();
    }

    [Fact]
    public void Storage_configuration_picks_the_provider_and_postgres_needs_a_connection_string()
    {
        var postgres = Configure(new() { ["Storage:Provider"] = "Postgres", ["Storage:ConnectionString"] = "Host=127.0.0.1;Database=x" });
        var missing = Configure(new() { ["Storage:Provider"] = "Postgres" });

        postgres.GetRequiredService<SqlDatabase>().Provider.Should().Be(StorageProvider.Postgres);
        var act = () => missing.GetRequiredService<SqlDatabase>();
        act.Should().Throw<InvalidOperationException>().WithMessage("*Storage:ConnectionString*");
    }

    [Fact]
    public void Idempotency_durations_are_read_from_configuration_and_must_be_positive()
    {
        var configured = Configure(new() { ["Idempotency:Retention"] = "02:00:00", ["Idempotency:CleanupInterval"] = "00:05:00" });
        var invalid = Configure(new() { ["Idempotency:Retention"] = "00:00:00" });

        var options = configured.GetRequiredService<Microsoft.Extensions.Options.IOptions<IdempotencyOptions>>().Value;
        options.Retention.Should().Be(TimeSpan.FromHours(2));
        options.CleanupInterval.Should().Be(TimeSpan.FromMinutes(5));
        options.ClaimTimeout.Should().Be(TimeSpan.FromMinutes(2), "unset keys keep their defaults");
        var act = () => invalid.GetRequiredService<Microsoft.Extensions.Options.IOptions<IdempotencyOptions>>().Value;
        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*Idempotency:Retention*");
    }

    private ServiceProvider Configure(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddStorage(configuration).BuildServiceProvider();
    }
}
