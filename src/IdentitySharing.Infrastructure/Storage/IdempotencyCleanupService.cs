using IdentitySharing.Application.Idempotency;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentitySharing.Infrastructure.Storage;

/// <summary>
/// Brings the schema up to date at startup (so a bad connection string or an unreachable
/// database fails the start, not the first call), then deletes expired idempotency records
/// every <see cref="IdempotencyOptions.CleanupInterval"/>. Every replica may run it: the
/// delete is one idempotent statement.
/// </summary>
public sealed partial class IdempotencyCleanupService(
    SqlDatabase database,
    IIdempotencyStore store,
    IOptions<IdempotencyOptions> options,
    TimeProvider time,
    ILogger<IdempotencyCleanupService> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CleanupInterval, time);
        do
        {
            await CleanUpOnceAsync(stoppingToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One cleanup pass; failures are logged and the next pass tries again.</summary>
    public async Task<int> CleanUpOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var deleted = await store.DeleteExpiredAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            if (deleted > 0)
            {
                CleanupLog.Deleted(logger, deleted);
            }
            return deleted;
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not OutOfMemoryException)
        {
            CleanupLog.Failed(logger, exception.GetType().FullName);
            return 0;
        }
    }
}

internal static partial class CleanupLog
{
    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Deleted {Count} expired idempotency records")]
    public static partial void Deleted(ILogger logger, int count);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "Deleting expired idempotency records failed ({ExceptionType}); trying again next interval")]
    public static partial void Failed(ILogger logger, string? exceptionType);
}
