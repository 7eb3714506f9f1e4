using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IdentitySharing.GrpcServer.Tests.Support;

/// <summary>
/// What every test server here shares: a real Kestrel server on 127.0.0.1 (port 0, plaintext
/// HTTP/2 only unless asked otherwise, i.e. h2c with prior knowledge) with the gRPC server
/// library. A derived server adds its services and maps its endpoints through the two hooks.
/// Read <see cref="Address"/> once started.
/// </summary>
public abstract class LoopbackGrpcServer : IAsyncLifetime
{
    private readonly Action<GrpcServerOptions>? _configureOptions;
    private readonly HttpProtocols _protocols;
    private WebApplication? _app;
    private bool _stopped;

    protected LoopbackGrpcServer(Action<GrpcServerOptions>? configureOptions = null, HttpProtocols protocols = HttpProtocols.Http2)
    {
        _configureOptions = configureOptions;
        _protocols = protocols;
    }

    /// <summary>The base address, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public Uri Address { get; private set; } = null!;

    public int Port => Address.Port;

    /// <summary>HOST:PORT, as gRPC clients take a target.</summary>
    public string Target => $"{Address.Host}:{Address.Port}";

    /// <summary>The server's services (e.g. <c>IHostApplicationLifetime</c> to begin shutdown); still there once stopped.</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The server is not started.");

    public async ValueTask InitializeAsync()
    {
        // The empty builder reads no config files, so many test servers add no file watchers.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = _protocols));
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.Services.AddGrpcServer(_configureOptions);
        ConfigureServices(builder.Services);

        var app = builder.Build();
        MapEndpoints(app);
        await app.StartAsync();
        _app = app;

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Address = new Uri(address);
    }

    /// <summary>Stops the host the way a shutdown does (ApplicationStopping first); <see cref="Services"/> stay readable.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app && !_stopped)
        {
            _stopped = true;
            await app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            await StopAsync();
            _app = null;
            await app.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Registers the services this server's endpoints need (after the gRPC server library).</summary>
    protected abstract void ConfigureServices(IServiceCollection services);

    /// <summary>Maps this server's gRPC services onto the built application.</summary>
    protected abstract void MapEndpoints(WebApplication app);
}
