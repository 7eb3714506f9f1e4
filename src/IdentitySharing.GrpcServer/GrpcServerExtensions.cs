using IdentitySharing.GrpcServer.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdentitySharing.GrpcServer;

/// <summary>Registration and mapping of the gRPC server.</summary>
public static class GrpcServerExtensions
{
    /// <summary>Adds the gRPC server (options, registry, dispatcher). Call once, before mapping services.</summary>
    public static IServiceCollection AddGrpcServer(this IServiceCollection services, Action<GrpcServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<GrpcServerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<GrpcServiceRegistry>();
        services.TryAddSingleton<GrpcCallDispatcher>();
        services.TryAddEnumerable(Microsoft.Extensions.DependencyInjection.ServiceDescriptor.Singleton<IStartupFilter, UnimplementedCallFilter>());
        return services;
    }

    /// <summary>Adds an interceptor (a singleton). Interceptors wrap calls in registration order: the first registered is outermost.</summary>
    public static IServiceCollection AddGrpcInterceptor<TInterceptor>(this IServiceCollection services)
        where TInterceptor : class, IGrpcInterceptor
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(Microsoft.Extensions.DependencyInjection.ServiceDescriptor.Singleton<IGrpcInterceptor, TInterceptor>());
        return services;
    }

    /// <summary>
    /// Maps every method of a proto service to the handlers bound in <paramref name="configure"/>,
    /// one POST endpoint per method at <c>/package.Service/Method</c>. Throws
    /// <see cref="InvalidOperationException"/> when a proto method has no handler, or a handler names
    /// no such method, has the wrong streaming kind or the wrong message types. Requests to paths no
    /// mapped method matches (and no other endpoint handles) get UNIMPLEMENTED. Paths are
    /// case-sensitive: one that differs from a method's only in case gets UNIMPLEMENTED too.
    /// </summary>
    public static IEndpointConventionBuilder MapGrpcService(
        this IEndpointRouteBuilder endpoints,
        Google.Protobuf.Reflection.ServiceDescriptor service,
        Action<GrpcServiceBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(configure);

        var registry = endpoints.ServiceProvider.GetService<GrpcServiceRegistry>()
            ?? throw new InvalidOperationException("Call services.AddGrpcServer() before mapping gRPC services.");
        var dispatcher = endpoints.ServiceProvider.GetRequiredService<GrpcCallDispatcher>();

        var builder = new GrpcServiceBuilder(service);
        configure(builder);
        var methods = builder.Build();
        registry.Add(service);

        var conventions = new List<IEndpointConventionBuilder>(methods.Count);
        foreach (var method in methods)
        {
            conventions.Add(endpoints
                .MapPost(method.Path, dispatcher.CreateRequestDelegate(method))
                .WithDisplayName($"gRPC {method.Path}")
                .WithMetadata(method.Descriptor));
        }

        return new CompositeConventionBuilder(conventions);
    }

    private sealed class CompositeConventionBuilder(List<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders)
            {
                builder.Add(convention);
            }
        }
    }
}
