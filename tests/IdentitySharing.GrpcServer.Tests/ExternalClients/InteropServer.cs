using System.Net;
using IdentitySharing.GrpcServer.Health;
using IdentitySharing.GrpcServer.Reflection;
using IdentitySharing.GrpcServer.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IdentitySharing.GrpcServer.Tests.ExternalClients;

/// <summary>
/// The conformance service as external clients meet it: a real Kestrel h2c server on
/// 127.0.0.1 (port 0) that also serves health and reflection, as a host does.
/// </summary>
public sealed class InteropServer : IAsyncLifetime
{
    private WebApplication? _app;

    /// <summary>The base address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>HOST:PORT, as gRPC clients take a target.</summary>
    public string Target => $"{Address.Host}:{Address.Port}";

    public async ValueTask InitializeAsync()
    {
        // The empty builder reads no config files, so test servers add no file watchers.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.Services.AddGrpcServer();
        builder.Services.AddGrpcHealthService();
        builder.Services.AddSingleton<ConformanceService>();
        var app = builder.Build();
        app.Services.GetRequiredService<ConformanceService>().Map(app);
        app.MapGrpcHealthService();
        app.MapGrpcReflectionService();
        await app.StartAsync();
        _app = app;
        Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
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
