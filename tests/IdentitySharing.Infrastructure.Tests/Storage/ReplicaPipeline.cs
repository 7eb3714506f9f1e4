using IdentitySharing.Application;
using IdentitySharing.Application.Audit;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.Idempotency;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using IdentitySharing.Infrastructure.Storage;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace IdentitySharing.Infrastructure.Tests.Storage;

/// <summary>
/// One service replica's application pipeline (AddApplication, as the host wires it) on a real
/// database, with a counting fake Sumsub instead of HTTP. Two of these on one database are two
/// replicas: separate in-process locks, one shared store.
/// </summary>
internal sealed class ReplicaPipeline : IAsyncDisposable
{
    /// <summary>Replicas share their outcome key, as deployed replicas share configuration.</summary>
    private static readonly OutcomeProtector SharedProtector = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>Replicas share their fingerprint key too (a subkey of the outcome key where deployed).</summary>
    private static readonly RequestFingerprinter SharedFingerprinter = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private readonly ServiceProvider _provider;

    public ReplicaPipeline(SqlDatabase database, CountingSumsub sumsub, string caller = "billing", string rpc = "ImportApplicant")
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(database);
        services.AddSingleton(SharedProtector);
        services.AddSingleton(SharedFingerprinter);
        services.AddSingleton<IIdempotencyStore, SqlIdempotencyStore>();
        services.AddSingleton<IShareLedger, SqlShareLedger>();
        services.AddSingleton<ISumsubClient>(sumsub);
        services.AddSingleton<ISumsubAccounts>(new OneAccount());
        services.AddSingleton<IBanxaClient>(new UnusedBanxa());
        services.AddSingleton<IBanxaSettings>(new BanxaSettingsStub());
        services.AddSingleton<ICallerContext>(new FixedCaller(caller, rpc));
        services.AddApplication();
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public async Task<TResponse> Send<TResponse>(IRequest<TResponse> request)
    {
        using var scope = _provider.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request, TestContext.Current.CancellationToken);
    }

    // The database belongs to the test: several replicas share it.
    public ValueTask DisposeAsync() => _provider.DisposeAsync();

    private sealed class FixedCaller(string caller, string rpc) : ICallerContext
    {
        public string CallerName => caller;
        public string RpcName => rpc;
    }

    private sealed class OneAccount : ISumsubAccounts
    {
        public bool TryResolve(string? requested, out AccountName? account, out string? error)
        {
            account = requested is null or "main" ? AccountName.Create("main") : null;
            error = account is null ? "is not a configured Sumsub account" : null;
            return account is not null;
        }
    }

    private sealed class UnusedBanxa : IBanxaClient
    {
        public Task<Result<IdentityReference>> ShareIdentityAsync(BanxaIdentityShare share, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("not used by these tests");
    }

    private sealed class BanxaSettingsStub : IBanxaSettings
    {
        public ClientId SumsubClientId => ClientId.Create("banxa.com_5335");
        public AccountName? DonorAccount => null;
    }
}

/// <summary>
/// A fake Sumsub that counts imports, answers from a script (success by default), and can hold
/// every import until released, so duplicates really overlap the first call.
/// </summary>
internal sealed class CountingSumsub : ISumsubClient
{
    private readonly TaskCompletionSource _firstImportStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _imports;
    private int _tokens;

    public int Imports => Volatile.Read(ref _imports);

    /// <summary>What the next imports answer; the default creates an applicant per call.</summary>
    public Func<int, Result<ImportedApplicant>> ImportOutcome { get; set; } =
        call => new ImportedApplicant($"applicant{call}", "our-client", "user-1", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), "basic", "completed");

    /// <summary>When set, imports wait for it.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public Task FirstImportStarted => _firstImportStarted.Task;

    public async Task<Result<ImportedApplicant>> ImportApplicantAsync(AccountName account, ApplicantImport import, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _imports);
        _firstImportStarted.TrySetResult();
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
        return ImportOutcome(call);
    }

    public Task<Result<IssuedShareToken>> GenerateShareTokenAsync(AccountName account, ApplicantId applicantId, ClientId forClientId, ShareTokenTtl ttl, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _tokens);
        return Task.FromResult(Result<IssuedShareToken>.Success(new IssuedShareToken(ShareToken.Create($"_act-minted-{call}"), forClientId)));
    }

    /// <summary>No applicant is ever found: reconciliation is not what these tests exercise.</summary>
    public Task<Result<ImportedApplicant>> FindApplicantByExternalUserIdAsync(AccountName account, ExternalUserId externalUserId, CancellationToken cancellationToken) =>
        Task.FromResult(Result<ImportedApplicant>.Failure(new Error(ErrorKind.NotFound, "APPLICANT_NOT_FOUND", "No such applicant.")));
}
