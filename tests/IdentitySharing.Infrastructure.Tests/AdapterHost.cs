using IdentitySharing.Application.Ports;
using IdentitySharing.Testing.Upstreams;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IdentitySharing.Infrastructure.Tests;

/// <summary>The real adapters, wired by AddInfrastructure exactly as the host wires them.</summary>
internal sealed class AdapterHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private AdapterHost(ServiceProvider provider) => _provider = provider;

    public ISumsubClient Sumsub => _provider.GetRequiredService<ISumsubClient>();
    public IBanxaClient Banxa => _provider.GetRequiredService<IBanxaClient>();
    public ISumsubAccounts Accounts => _provider.GetRequiredService<ISumsubAccounts>();

    public static AdapterHost Create(IEnumerable<KeyValuePair<string, string?>> settings, TimeProvider? timeProvider = null, ILoggerProvider? logs = null)
    {
        // Later entries win, so a test can override one of its base class's settings.
        var lastWins = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in settings)
        {
            lastWins[key] = value;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(lastWins).Build();
        var services = new ServiceCollection();
        if (logs is not null)
        {
            services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        }
        if (timeProvider is not null)
        {
            services.AddSingleton(timeProvider);
        }
        services.AddInfrastructure(configuration);
        return new AdapterHost(services.BuildServiceProvider());
    }

    /// <summary>One Sumsub account "main" at the fake Sumsub, Banxa at the fake Banxa.</summary>
    public static AdapterHost ForFakes(FakeSumsub sumsub, FakeBanxa banxa, string? sumsubSecret = null) => Create(new Dictionary<string, string?>
    {
        ["Sumsub:Accounts:main:AppToken"] = sumsub.AppToken,
        ["Sumsub:Accounts:main:SecretKey"] = sumsubSecret ?? sumsub.SecretKey,
        ["Sumsub:Accounts:main:BaseUrl"] = sumsub.BaseUrl.ToString(),
        ["Banxa:BaseUrl"] = banxa.BaseUrl.ToString(),
        ["Banxa:ApiKey"] = banxa.ApiKey,
        ["Banxa:ApiSecret"] = banxa.ApiSecret,
    });

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
