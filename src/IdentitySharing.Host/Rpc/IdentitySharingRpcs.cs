using IdentitySharing.Application.Common;
using IdentitySharing.Contracts.V1;
using IdentitySharing.GrpcServer;
using IdentitySharing.Host.Errors;
using MediatR;

namespace IdentitySharing.Host.Rpc;

/// <summary>
/// The thin transport adapter for <c>identitysharing.v1.IdentitySharingService</c>: each RPC maps
/// its request to a command, sends it through the MediatR pipeline, and maps the result back —
/// or turns the expected failure into a gRPC status in <see cref="ErrorStatusMapper"/>.
/// </summary>
public static class IdentitySharingRpcs
{
    public static Google.Protobuf.Reflection.ServiceDescriptor Service =>
        IdentitySharingReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.ServiceDescriptor>("IdentitySharingService");

    public static IEndpointConventionBuilder MapIdentitySharingService(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService(Service, service => service
            .Unary<GenerateShareTokenRequest, GenerateShareTokenResponse>(
                "GenerateShareToken",
                (request, context) => SendAsync(context, ContractMapping.ToCommand(request), ContractMapping.ToResponse))
            .Unary<ImportApplicantRequest, ImportApplicantResponse>(
                "ImportApplicant",
                (request, context) => SendAsync(context, ContractMapping.ToCommand(request), ContractMapping.ToResponse))
            .Unary<ShareWithBanxaRequest, ShareWithBanxaResponse>(
                "ShareWithBanxa",
                (request, context) => SendAsync(context, ContractMapping.ToCommand(request), ContractMapping.ToResponse))
            .Unary<ListShareEventsRequest, ListShareEventsResponse>(
                "ListShareEvents",
                (request, context) => SendAsync(context, ContractMapping.ToQuery(request), ContractMapping.ToResponse)));

    private static async Task<TResponse> SendAsync<TValue, TResponse>(
        ServerCallContext context, IRequest<Result<TValue>> command, Func<TValue, TResponse> toResponse)
    {
        var mediator = context.HttpContext.RequestServices.GetRequiredService<IMediator>();
        var result = await mediator.Send(command, context.CancellationToken).ConfigureAwait(false);
        return result.IsSuccess ? toResponse(result.Value) : throw ErrorStatusMapper.ToRpcException(result.Error);
    }
}
