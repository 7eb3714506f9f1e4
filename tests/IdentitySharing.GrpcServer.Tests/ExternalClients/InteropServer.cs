using IdentitySharing.GrpcServer.Health;
using IdentitySharing.GrpcServer.Reflection;
using IdentitySharing.GrpcServer.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace IdentitySharing.GrpcServer.Tests.ExternalClients;

/// <summary>
/// The conformance service as external clients meet it: a <see cref="ConformanceServer"/> that
/// also serves health and reflection, as a host does.
/// </summary>
public sealed class InteropServer : ConformanceServer
{
    protected override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.AddGrpcHealthService();
    }

    protected override void MapEndpoints(WebApplication app)
    {
        base.MapEndpoints(app);
        app.MapGrpcHealthService();
        app.MapGrpcReflectionService();
    }
}
