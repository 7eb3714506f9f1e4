using Google.Protobuf.WellKnownTypes;
using IdentitySharing.GrpcServer.Health;
using IdentitySharing.GrpcServer.Reflection;
using IdentitySharing.GrpcServer.Tests.ReflectionTest.V1;
using IdentitySharing.GrpcServer.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace IdentitySharing.GrpcServer.Tests.Reflection;

/// <summary>
/// A <see cref="LoopbackGrpcServer"/> with the probe service, health and reflection mapped the
/// way a host maps them.
/// </summary>
public sealed class ReflectionHealthServer : LoopbackGrpcServer
{
    public HealthStatusService Health => Services.GetRequiredService<HealthStatusService>();

    protected override void ConfigureServices(IServiceCollection services) => services.AddGrpcHealthService();

    protected override void MapEndpoints(WebApplication app)
    {
        app.MapGrpcService(ProbeReflection.Descriptor.Services[0], service => service
            .Unary<ProbeRequest, ProbeResponse>("Probe", (request, _) => Task.FromResult(new ProbeResponse { Text = request.Colour.ToString() }))
            .Unary<Empty, Empty>("Ping", (request, _) => Task.FromResult(request)));
        app.MapGrpcHealthService();
        app.MapGrpcReflectionService();
    }
}
