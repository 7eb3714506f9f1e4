using IdentitySharing.Application.Audit;
using IdentitySharing.Application.Idempotency;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IdentitySharing.Infrastructure.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the database (<c>Storage:Provider</c>, <c>Storage:ConnectionString</c>), the
    /// idempotency store, the audit ledger, <c>Idempotency:*</c> options, and the hosted service
    /// that migrates at startup and cleans up expired records. Stored outcomes are encrypted with
    /// <c>Idempotency:OutcomeKey</c> or a key derived from the Sumsub secrets (<see cref="OutcomeProtector"/>);
    /// request fingerprints are keyed with a subkey of it (<see cref="OutcomeProtector.FingerprintKey"/>).
    /// </summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<IdempotencyOptions>()
            .Bind(configuration.GetSection(IdempotencyOptions.SectionName))
            .Validate(options => options.Retention > TimeSpan.Zero && options.ClaimTimeout > TimeSpan.Zero && options.CleanupInterval > TimeSpan.Zero,
                "Idempotency:Retention, Idempotency:ClaimTimeout and Idempotency:CleanupInterval must be positive durations (e.g. 1.00:00:00 for a day)")
            .ValidateOnStart();
        services.AddSingleton(provider => CreateDatabase(
            configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions(),
            provider.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory()));
        services.AddSingleton(_ => OutcomeProtector.FromConfiguration(configuration));
        services.AddSingleton(_ => new RequestFingerprinter(OutcomeProtector.FingerprintKey(configuration)));
        services.AddSingleton<IIdempotencyStore, SqlIdempotencyStore>();
        services.AddSingleton<IShareLedger, SqlShareLedger>();
        services.AddHostedService<IdempotencyCleanupService>();
        return services;
    }

    /// <summary>The configured database; <paramref name="contentRoot"/> anchors a relative SQLite path.</summary>
    public static SqlDatabase CreateDatabase(StorageOptions options, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Provider switch
        {
            StorageProvider.Postgres => new PostgresDatabase(
                string.IsNullOrWhiteSpace(options.ConnectionString)
                    ? throw new InvalidOperationException("Storage:ConnectionString is required when Storage:Provider is Postgres")
                    : options.ConnectionString),
            _ => new SqliteDatabase(
                string.IsNullOrWhiteSpace(options.ConnectionString) ? StorageOptions.DefaultSqliteConnectionString : options.ConnectionString,
                contentRoot),
        };
    }
}
