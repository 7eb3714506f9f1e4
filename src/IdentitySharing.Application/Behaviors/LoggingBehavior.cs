using IdentitySharing.Application.Common;
using MediatR;
using Microsoft.Extensions.Logging;

namespace IdentitySharing.Application.Behaviors;

/// <summary>
/// Logs each command's name, duration and outcome (success, or the error's kind and reason).
/// A success is logged at Debug: the host's per-RPC line (category <c>IdentitySharing.Rpc</c>)
/// already says at Information that the call ended OK and how long it took, and a second
/// Information line per call would double the logging cost on the hot path. Failures,
/// cancellations and exceptions stay at Warning/Information/Error. Never a field value: commands
/// carry share tokens, emails and phone numbers. For the same reason an exception is logged by
/// type only (messages of HTTP failures can quote URLs).
/// </summary>
public sealed partial class LoggingBehavior<TRequest, TResponse>(ILoggerFactory loggers, TimeProvider time)
    : IPipelineBehavior<TRequest, TResponse>
    where TResponse : IResultOutcome
{
    private readonly ILogger _logger = loggers.CreateLogger(LogCategory);

    /// <summary>One category for all commands, so it can be filtered in configuration.</summary>
    public const string LogCategory = "IdentitySharing.Application.Commands";

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var command = typeof(TRequest).Name;
        var started = time.GetTimestamp();
        try
        {
            var response = await next().ConfigureAwait(false);
            var elapsedMs = time.GetElapsedTime(started).TotalMilliseconds;
            if (response.Error is { } error)
            {
                CommandLog.Failed(_logger, command, error.Kind, error.Reason, elapsedMs);
            }
            else
            {
                CommandLog.Succeeded(_logger, command, elapsedMs);
            }
            return response;
        }
        catch (OperationCanceledException)
        {
            CommandLog.Cancelled(_logger, command, time.GetElapsedTime(started).TotalMilliseconds);
            throw;
        }
        catch (Exception exception)
        {
            CommandLog.Threw(_logger, command, exception.GetType().FullName, time.GetElapsedTime(started).TotalMilliseconds);
            throw;
        }
    }
}

internal static partial class CommandLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "{Command} succeeded in {ElapsedMs:F1} ms")]
    public static partial void Succeeded(ILogger logger, string command, double elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Command} failed: {ErrorKind} {Reason} in {ElapsedMs:F1} ms")]
    public static partial void Failed(ILogger logger, string command, ErrorKind errorKind, string reason, double elapsedMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{Command} cancelled after {ElapsedMs:F1} ms")]
    public static partial void Cancelled(ILogger logger, string command, double elapsedMs);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "{Command} threw {ExceptionType} after {ElapsedMs:F1} ms")]
    public static partial void Threw(ILogger logger, string command, string? exceptionType, double elapsedMs);
}
