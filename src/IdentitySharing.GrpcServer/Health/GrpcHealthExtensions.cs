using IdentitySharing.GrpcServer.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace IdentitySharing.GrpcServer.Health;

/// <summary>Registers and maps <c>grpc.health.v1.Health</c> (grpc/grpc doc/health-checking.md).</summary>
public static class GrpcHealthExtensions
{
    /// <summary>Adds the <see cref="HealthStatusService"/> singleton the host sets statuses on. Idempotent.</summary>
    public static IServiceCollection AddGrpcHealthService(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<HealthStatusService>();
        return services;
    }

    /// <summary>
    /// Maps Check and Watch over the registered <see cref="HealthStatusService"/>. When the host
    /// starts stopping, every status becomes NOT_SERVING and Watch streams end.
    /// </summary>
    public static IEndpointConventionBuilder MapGrpcHealthService(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var health = endpoints.ServiceProvider.GetService<HealthStatusService>()
            ?? throw new InvalidOperationException("Call services.AddGrpcHealthService() before mapping the gRPC health service.");
        endpoints.ServiceProvider.GetService<IHostApplicationLifetime>()?.ApplicationStopping.Register(health.EnterShutdown);

        return endpoints.MapGrpcService(HealthReflection.Descriptor.Services[0], service => service
            .Unary<HealthCheckRequest, HealthCheckResponse>("Check", (request, _) => Check(health, request))
            .ServerStreaming<HealthCheckRequest, HealthCheckResponse>("Watch", (request, responses, context) => WatchAsync(health, request, responses, context)));
    }

    // Check is what load balancers poll: answer from completed tasks made once per status (responses are only ever serialized).
    private static readonly Task<HealthCheckResponse>[] CheckAnswers =
        [.. Enum.GetValues<HealthCheckResponse.Types.ServingStatus>().Select(status => Task.FromResult(new HealthCheckResponse { Status = status }))];

    private static Task<HealthCheckResponse> Check(HealthStatusService health, HealthCheckRequest request)
    {
        if (!health.TryGetStatus(request.Service, out var status))
        {
            throw new RpcException(StatusCode.NotFound, $"Unknown service '{request.Service}'.");
        }

        return (uint)status < (uint)CheckAnswers.Length ? CheckAnswers[(int)status] : Task.FromResult(new HealthCheckResponse { Status = status });
    }

    private static async Task WatchAsync(HealthStatusService health, HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responses, ServerCallContext context)
    {
        await foreach (var status in health.WatchAsync(request.Service, context.CancellationToken).ConfigureAwait(false))
        {
            await responses.WriteAsync(new HealthCheckResponse { Status = status }, context.CancellationToken).ConfigureAwait(false);
        }
    }
}
