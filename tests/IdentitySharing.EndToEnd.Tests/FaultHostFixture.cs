using IdentitySharing.Host;
using IdentitySharing.Testing.Grpc;
using IdentitySharing.Testing.Upstreams;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// The real host against fresh fakes, with resilience settings a test class chooses: short
/// attempt timeouts and backoff so faults resolve quickly, and breaker and pacing limits the
/// class can provoke without touching other classes (each class gets its own host).
/// </summary>
public class FaultHostFixture : IAsyncLifetime
{
    public const string MainAccount = "main";
    public const string UnreachableAccount = "unreachable";

    private WebApplication? _app;

    public FakeSumsub Sumsub { get; } = new() { ClientId = "e2e-fault-client" };
    public FakeBanxa Banxa { get; } = new();
    public GrpcWireClient Client { get; private set; } = null!;

    protected virtual IEnumerable<KeyValuePair<string, string?>> ResilienceSettings =>
    [
        new("Resilience:SumsubAttemptTimeout", "00:00:03"),
        new("Resilience:BanxaAttemptTimeout", "00:00:03"),
        new("Resilience:Retry:BaseDelay", "00:00:00.050"),
        new("Resilience:Retry:MaxDelay", "00:00:00.200"),
        new("Resilience:Retry:MaxRetryAfter", "00:00:01"),
    ];

    public async ValueTask InitializeAsync()
    {
        await Sumsub.StartAsync();
        await Banxa.StartAsync();
        _app = await IdentitySharingApp.BuildAsync(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(
            [
                new($"Sumsub:Accounts:{MainAccount}:AppToken", Sumsub.AppToken),
                new($"Sumsub:Accounts:{MainAccount}:SecretKey", Sumsub.SecretKey),
                new($"Sumsub:Accounts:{MainAccount}:BaseUrl", Sumsub.BaseUrl.ToString()),
                new($"Sumsub:Accounts:{MainAccount}:ClientId", Sumsub.ClientId),
                new($"Sumsub:Accounts:{UnreachableAccount}:AppToken", "sbx:unreachable"),
                new($"Sumsub:Accounts:{UnreachableAccount}:SecretKey", "unreachable-secret"),
                new($"Sumsub:Accounts:{UnreachableAccount}:BaseUrl", "http://127.0.0.1:9/"),
                new($"Sumsub:Accounts:{UnreachableAccount}:ClientId", "unreachable-client"),
                new("Sumsub:DefaultAccount", MainAccount),
                new("Banxa:BaseUrl", Banxa.BaseUrl.ToString()),
                new("Banxa:ApiKey", Banxa.ApiKey),
                new("Banxa:ApiSecret", Banxa.ApiSecret),
                new("Auth:AllowAnonymous", "true"),
                .. ResilienceSettings,
            ]);
            builder.Logging.ClearProviders();
        });
        await _app.StartAsync();
        var address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Client = new GrpcWireClient(address);
    }

    public void Reset()
    {
        Sumsub.Reset();
        Banxa.Reset();
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await Sumsub.DisposeAsync();
        await Banxa.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A breaker that opens after three failed calls and stays open for two seconds.</summary>
public sealed class BreakerHostFixture : FaultHostFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> ResilienceSettings =>
    [
        .. base.ResilienceSettings,
        new("Resilience:Retry:MaxRetries", "0"),
        new("Resilience:CircuitBreaker:FailureRatio", "1.0"),
        new("Resilience:CircuitBreaker:MinimumThroughput", "3"),
        new("Resilience:CircuitBreaker:SamplingDuration", "00:01:00"),
        new("Resilience:CircuitBreaker:BreakDuration", "00:00:02"),
    ];
}

/// <summary>A Sumsub POST budget of three per five seconds, with a short queue wait.</summary>
public sealed class PacingHostFixture : FaultHostFixture
{
    public const int PostBudget = 3;

    protected override IEnumerable<KeyValuePair<string, string?>> ResilienceSettings =>
    [
        .. base.ResilienceSettings,
        new("Sumsub:RateLimits:PostPer5Seconds", PostBudget.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Sumsub:RateLimits:MaxQueueWait", "00:00:00.100"),
    ];
}
