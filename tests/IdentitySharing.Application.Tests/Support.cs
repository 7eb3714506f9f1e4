using System.Collections.Concurrent;
using IdentitySharing.Application.Audit;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.Idempotency;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NSubstitute;

namespace IdentitySharing.Application.Tests;

/// <summary>A clock that only moves when told to.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset _now = now;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>Keeps every log line, formatted, plus its structured values, so tests can search them.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Text)> _entries = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Text)> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(pair => $"{pair.Key}={pair.Value}"))
                : "";
            entries.Enqueue((category, logLevel, $"{formatter(state, exception)} | {values} | {exception}"));
        }
    }
}

/// <summary>
/// The application layer as the host builds it (AddApplication), with NSubstitute ports:
/// every test goes through the real Mediator and so through the whole pipeline.
/// </summary>
internal sealed class App : IDisposable
{
    public const string UnknownAccountViolation = "is not a configured Sumsub account";
    public static readonly AccountName DefaultAccount = AccountName.Create("main");
    public static readonly AccountName EuAccount = AccountName.Create("eu");
    public static readonly ClientId BanxaClientId = ClientId.Create("banxa.com_5335");
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _provider;

    public App(Action<IServiceCollection>? configure = null)
    {
        Accounts.TryResolve(Arg.Any<string?>(), out Arg.Any<AccountName?>(), out Arg.Any<string?>())
            .Returns(call =>
            {
                var resolved = call.ArgAt<string?>(0) switch
                {
                    null => DefaultAccount,
                    "main" => DefaultAccount,
                    "eu" => EuAccount,
                    _ => null,
                };
                call[1] = resolved;
                call[2] = resolved is null ? UnknownAccountViolation : null;
                return resolved is not null;
            });
        BanxaSettings.SumsubClientId.Returns(BanxaClientId);
        BanxaSettings.DonorAccount.Returns((AccountName?)null);
        Caller.CallerName.Returns("billing");
        Caller.RpcName.Returns("TestRpc");
        // Every request_id is new to this store: the idempotency behavior lets each request run.
        IdempotencyStore.TryClaimAsync(default!, default!, default, default, default, default)
            .ReturnsForAnyArgs(IdempotencyClaim.Acquired("claim"));
        IdempotencyStore.CompleteAsync(default!, default!, default!, default, default).ReturnsForAnyArgs(true);
        IdempotencyStore.RenewAsync(default!, default!, default, default, default).ReturnsForAnyArgs(true);

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(Sumsub);
        services.AddSingleton(Banxa);
        services.AddSingleton(Accounts);
        services.AddSingleton(BanxaSettings);
        services.AddSingleton(Caller);
        services.AddSingleton(IdempotencyStore);
        services.AddSingleton(new RequestFingerprinter(new byte[RequestFingerprinter.KeySize]));
        services.AddSingleton(Ledger);
        configure?.Invoke(services);
        services.AddApplication();
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public ISumsubClient Sumsub { get; } = Substitute.For<ISumsubClient>();
    public IBanxaClient Banxa { get; } = Substitute.For<IBanxaClient>();
    public ISumsubAccounts Accounts { get; } = Substitute.For<ISumsubAccounts>();
    public IBanxaSettings BanxaSettings { get; } = Substitute.For<IBanxaSettings>();
    public ICallerContext Caller { get; } = Substitute.For<ICallerContext>();
    public IIdempotencyStore IdempotencyStore { get; } = Substitute.For<IIdempotencyStore>();
    public IShareLedger Ledger { get; } = Substitute.For<IShareLedger>();
    public ManualTimeProvider Time { get; } = new(Now);
    public CapturedLogs Logs { get; } = new();

    public IServiceProvider Services => _provider;

    /// <summary>Sends through a fresh scope, as the host does per call.</summary>
    public Task<TResponse> Send<TResponse>(IRequest<TResponse> request) =>
        SendWith(request, TestContext.Current.CancellationToken);

    public async Task<TResponse> SendWith<TResponse>(IRequest<TResponse> request, CancellationToken cancellationToken)
    {
        using var scope = _provider.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request, cancellationToken);
    }

    public void Dispose() => _provider.Dispose();
}

internal static class ResultAssertions
{
    /// <summary>The failure's field violations, after checking it is a validation failure.</summary>
    public static IReadOnlyList<FieldViolation> ValidationViolations<T>(this Result<T> result)
    {
        result.IsSuccess.Should().BeFalse();
        result.Error!.Kind.Should().Be(ErrorKind.Validation);
        return result.Error.FieldViolations;
    }
}
