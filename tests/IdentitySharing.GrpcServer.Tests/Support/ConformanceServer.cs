using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace IdentitySharing.GrpcServer.Tests.Support;

/// <summary>
/// A <see cref="LoopbackGrpcServer"/> serving <see cref="ConformanceService"/> through the gRPC
/// server library.
/// <para>
/// Use it as an xunit class fixture (<c>IClassFixture&lt;ConformanceServer&gt;</c>), start a
/// customised one with <see cref="StartAsync"/> and <c>await using</c>, or derive from it to map
/// more endpoints next to the conformance service (override <see cref="MapEndpoints"/> and call
/// the base). The service is stateless apart from cancellation probes, so tests can share an instance.
/// </para>
/// </summary>
public class ConformanceServer : LoopbackGrpcServer
{
    private readonly Action<IServiceCollection>? _configureServices;

    public ConformanceServer()
        : this(null)
    {
    }

    // xunit class fixtures need a single public constructor: custom servers come from StartAsync.
    private ConformanceServer(
        Action<GrpcServerOptions>? configureOptions,
        Action<IServiceCollection>? configureServices = null,
        HttpProtocols protocols = HttpProtocols.Http2)
        : base(configureOptions, protocols)
    {
        _configureServices = configureServices;
    }

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

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<ConformanceService>();
        _configureServices?.Invoke(services);
    }

    protected override void MapEndpoints(WebApplication app) =>
        app.Services.GetRequiredService<ConformanceService>().Map(app);
}
