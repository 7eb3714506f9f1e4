using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IdentitySharing.GrpcServer.Tests.Support;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (port 0, plaintext HTTP/2 only, i.e. h2c with prior
/// knowledge) serving <see cref="ConformanceService"/> through the gRPC server library.
/// <para>
/// Use it as an xunit class fixture (<c>IClassFixture&lt;ConformanceServer&gt;</c>) or start a
/// customised one with <see cref="StartAsync"/> and <c>await using</c>. Read <see cref="Address"/>
/// / <see cref="Port"/> once started. The service is stateless apart from cancellation probes,
/// so tests can share an instance.
/// </para>
/// </summary>
public sealed class ConformanceServer : IAsyncLifetime
{
    private readonly Action<GrpcServerOptions>? _configureOptions;
    private readonly Action<IServiceCollection>? _configureServices;
    private readonly HttpProtocols _protocols;
    private WebApplication? _app;

    public ConformanceServer()
        : this(null)
    {
    }

    // xunit class fixtures need a single public constructor: custom servers come from StartAsync.
    private ConformanceServer(
        Action<GrpcServerOptions>? configureOptions,
        Action<IServiceCollection>? configureServices = null,
        HttpProtocols protocols = HttpProtocols.Http2)
    {
        _configureOptions = configureOptions;
        _configureServices = configureServices;
        _protocols = protocols;
    }

    /// <summary>The base address, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public Uri Address { get; private set; } = null!;

    public int Port => Address.Port;

    /// <summary>The server's services (e.g. <c>IHostApplicationLifetime</c> to begin shutdown).</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>Starts a server with custom settings; dispose it to stop.</summary>
    /// <param name="configureOptions">Server options for this instance.</param>
    /// <param name="configureServices">Extra services, e.g. interceptors (<c>services.AddGrpcInterceptor&lt;T&gt;()</c>).</param>
    /// <param name="protocols">HTTP protocols of the listener; HTTP/2 only unless a test needs HTTP/1.1.</param>
    public static async Task<ConformanceServer> StartAsync(
        Action<GrpcServerOptions>? configureOptions = null,
        Action<IServiceCollection>? configureServices = null,
        HttpProtocols protocols = HttpProtocols.Http2)
    {
        var server = new ConformanceServer(configureOptions, configureServices, protocols);
        await server.InitializeAsync();
        return server;
    }

    public async ValueTask InitializeAsync()
    {
        // The empty builder reads no config files, so many test servers add no file watchers.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = _protocols));
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.Services.AddGrpcServer(_configureOptions);
        builder.Services.AddSingleton<ConformanceService>();
        _configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.Services.GetRequiredService<ConformanceService>().Map(app);
        await app.StartAsync();
        _app = app;

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Address = new Uri(address);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
