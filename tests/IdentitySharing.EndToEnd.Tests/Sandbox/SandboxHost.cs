using IdentitySharing.Host;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace IdentitySharing.EndToEnd.Tests.Sandbox;

/// <summary>
/// The host as the README's run command starts it: no Sumsub account configured, so sandbox
/// mode with its simulated Sumsub and Banxa. Only the address differs (port 0, not 5000).
/// </summary>
public sealed class SandboxHost : IAsyncLifetime
{
    private WebApplication? _app;

    public CapturedLogs Logs { get; } = new();

    /// <summary>The base address without a trailing slash, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        _app = await IdentitySharingApp.BuildAsync(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(Logs);
        });
        await _app.StartAsync();
        Url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
