using Google.Protobuf.WellKnownTypes;
using IdentitySharing.GrpcServer.Health;
using IdentitySharing.GrpcServer.Reflection;
using IdentitySharing.GrpcServer.Tests.ReflectionTest.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IdentitySharing.GrpcServer.Tests.Reflection;

/// <summary>
/// A real Kestrel h2c server on 127.0.0.1 (port 0) with the probe service, health and
/// reflection mapped the way a host maps them.
/// </summary>
public sealed class ReflectionHealthServer : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri Address { get; private set; } = null!;

    public HealthStatusService Health => _app!.Services.GetRequiredService<HealthStatusService>();

    public async ValueTask InitializeAsync()
    {
        // The empty builder reads no config files, so test servers add no file watchers.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.Services.AddGrpcServer();
        builder.Services.AddGrpcHealthService();
        _app = builder.Build();
        _app.MapGrpcService(ProbeReflection.Descriptor.Services[0], service => service
            .Unary<ProbeRequest, ProbeResponse>("Probe", (request, _) => Task.FromResult(new ProbeResponse { Text = request.Colour.ToString() }))
            .Unary<Empty, Empty>("Ping", (request, _) => Task.FromResult(request)));
        _app.MapGrpcHealthService();
        _app.MapGrpcReflectionService();
        await _app.StartAsync(TestContext.Current.CancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        Address = new Uri(address);
    }

    /// <summary>Stops the host the way a shutdown does (ApplicationStopping first).</summary>
    public Task StopAsync() => _app!.StopAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
