using IdentitySharing.Host;
using IdentitySharing.Testing.Grpc;
using IdentitySharing.Testing.Upstreams;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// The real host on Kestrel (127.0.0.1, port chosen by the OS) configured with real accounts
/// that point at fake Sumsub and Banxa servers. Account "main" is the default and donates to
/// Banxa; account "unreachable" points at a port nothing listens on.
/// </summary>
public class HostFixture : IAsyncLifetime
{
    public const string MainAccount = "main";
    public const string UnreachableAccount = "unreachable";
    public const string MainClientId = "e2e-main-client";

    private WebApplication? _app;
    // Idempotency records and the ledger live in a fresh SQLite file per fixture, never in the build output.
    private readonly DirectoryInfo _storage = Directory.CreateTempSubdirectory("identitysharing-e2e-");

    public FakeSumsub Sumsub { get; } = new() { ClientId = MainClientId };
    public FakeBanxa Banxa { get; } = new();
    public CapturedLogs Logs { get; } = new();
    public GrpcWireClient Client { get; private set; } = null!;
    public Uri Address { get; private set; } = null!;

    /// <summary>The host's services once started (e.g. <c>IHostApplicationLifetime</c> to begin shutdown).</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The host is not started.");

    /// <summary>Where the host listens; derived fixtures may listen on https.</summary>
    protected virtual string Urls => "http://127.0.0.1:0";

    /// <summary>Configuration added after the fixture's own, so derived fixtures can override it (callers, TLS, telemetry).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraConfiguration => [];

    /// <summary>Services derived fixtures add (test probes), registered before the host's own.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>Runs before the host starts (certificates, receivers); derived fixtures override it.</summary>
    protected virtual Task BeforeHostStartsAsync() => Task.CompletedTask;

    /// <summary>The wire client for <see cref="Address"/>; derived fixtures may use TLS.</summary>
    protected virtual GrpcWireClient CreateClient(Uri address) => new(address);

    public async ValueTask InitializeAsync()
    {
        await Sumsub.StartAsync();
        await Banxa.StartAsync();
        await BeforeHostStartsAsync();
        _app = await IdentitySharingApp.BuildAsync(["--urls", Urls], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"Sumsub:Accounts:{MainAccount}:AppToken"] = Sumsub.AppToken,
                [$"Sumsub:Accounts:{MainAccount}:SecretKey"] = Sumsub.SecretKey,
                [$"Sumsub:Accounts:{MainAccount}:BaseUrl"] = Sumsub.BaseUrl.ToString(),
                [$"Sumsub:Accounts:{MainAccount}:ClientId"] = MainClientId,
                [$"Sumsub:Accounts:{UnreachableAccount}:AppToken"] = "sbx:unreachable",
                [$"Sumsub:Accounts:{UnreachableAccount}:SecretKey"] = "unreachable-secret",
                [$"Sumsub:Accounts:{UnreachableAccount}:BaseUrl"] = "http://127.0.0.1:9/",
                [$"Sumsub:Accounts:{UnreachableAccount}:ClientId"] = "unreachable-client",
                ["Sumsub:DefaultAccount"] = MainAccount,
                ["Banxa:BaseUrl"] = Banxa.BaseUrl.ToString(),
                ["Banxa:ApiKey"] = Banxa.ApiKey,
                ["Banxa:ApiSecret"] = Banxa.ApiSecret,
                ["Auth:AllowAnonymous"] = "true",
                // The fakes have no rate limit and load tests here exceed Sumsub's; pacing has its own tests.
                ["Sumsub:RateLimits:PostPer5Seconds"] = "100000",
                // Error-table and fault tests provoke many upstream failures in a row; a breaker that
                // opened on them would answer later tests for it. The breaker has its own tests.
                ["Resilience:CircuitBreaker:MinimumThroughput"] = "100000",
                ["Storage:ConnectionString"] = $"Data Source={Path.Combine(_storage.FullName, "identitysharing.db")}",
            });
            builder.Configuration.AddInMemoryCollection(ExtraConfiguration);
            ConfigureServices(builder.Services);
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(Logs);
        });
        await _app.StartAsync();
        Address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Client = CreateClient(Address);
    }

    /// <summary>Clears the fakes' scripts and recorded requests between tests.</summary>
    public void Reset()
    {
        Sumsub.Reset();
        Banxa.Reset();
    }

    public virtual async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await Sumsub.DisposeAsync();
        await Banxa.DisposeAsync();
        _storage.Delete(recursive: true);
    }
}
