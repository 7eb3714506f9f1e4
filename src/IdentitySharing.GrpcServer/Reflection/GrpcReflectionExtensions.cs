using Google.Protobuf;
using IdentitySharing.GrpcServer.Reflection.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using V1Alpha = IdentitySharing.GrpcServer.Reflection.V1Alpha;

namespace IdentitySharing.GrpcServer.Reflection;

/// <summary>Maps gRPC server reflection, which lets grpcurl and buf curl call the server with no local schema.</summary>
public static class GrpcReflectionExtensions
{
    private const string MethodName = "ServerReflectionInfo";

    /// <summary>
    /// Maps <c>grpc.reflection.v1.ServerReflection</c> and <c>grpc.reflection.v1alpha.ServerReflection</c>.
    /// They describe every service mapped on this server (themselves included), read at the first
    /// reflection request, so services mapped after this call are described too.
    /// </summary>
    public static IEndpointConventionBuilder MapGrpcReflectionService(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var registry = endpoints.ServiceProvider.GetService<GrpcServiceRegistry>()
            ?? throw new InvalidOperationException("Call services.AddGrpcServer() before mapping the gRPC reflection service.");
        var stopping = endpoints.ServiceProvider.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        var resolver = new Lazy<ServerReflectionResolver>(() => new ServerReflectionResolver(registry.Services));

        var v1 = endpoints.MapGrpcService(ReflectionReflection.Descriptor.Services[0], service => service
            .DuplexStreaming<ServerReflectionRequest, ServerReflectionResponse>(MethodName,
                (requests, responses, context) => ServeAsync(requests, responses, resolver.Value.Answer, context, stopping)));
        var v1Alpha = endpoints.MapGrpcService(V1Alpha.ReflectionReflection.Descriptor.Services[0], service => service
            .DuplexStreaming<V1Alpha.ServerReflectionRequest, V1Alpha.ServerReflectionResponse>(MethodName,
                (requests, responses, context) => ServeAsync(requests, responses, request => AnswerV1Alpha(resolver.Value, request), context, stopping)));
        return new BothVersionsConventionBuilder(v1, v1Alpha);
    }

    /// <summary>Answers each request as it arrives; ends when the client half-closes or the host stops.</summary>
    private static async Task ServeAsync<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requests,
        IServerStreamWriter<TResponse> responses,
        Func<TRequest, TResponse> answer,
        ServerCallContext context,
        CancellationToken stopping)
    {
        using var callOrHost = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, stopping);
        try
        {
            while (await requests.MoveNext(callOrHost.Token).ConfigureAwait(false))
            {
                await responses.WriteAsync(answer(requests.Current), callOrHost.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            // The host is stopping: end the stream cleanly so it does not hold up the drain.
        }
    }

    /// <summary>v1alpha has the same messages and field numbers as v1: answer through v1 via the wire format.</summary>
    private static V1Alpha.ServerReflectionResponse AnswerV1Alpha(ServerReflectionResolver resolver, V1Alpha.ServerReflectionRequest request) =>
        V1Alpha.ServerReflectionResponse.Parser.ParseFrom(
            resolver.Answer(ServerReflectionRequest.Parser.ParseFrom(request.ToByteString())).ToByteString());

    private sealed class BothVersionsConventionBuilder(IEndpointConventionBuilder v1, IEndpointConventionBuilder v1Alpha) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            v1.Add(convention);
            v1Alpha.Add(convention);
        }
    }
}
