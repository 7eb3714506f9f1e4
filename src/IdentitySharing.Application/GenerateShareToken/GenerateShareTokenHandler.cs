using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using MediatR;

namespace IdentitySharing.Application.GenerateShareToken;

public sealed class GenerateShareTokenHandler(ISumsubClient sumsub, ISumsubAccounts accounts, TimeProvider time)
    : IRequestHandler<GenerateShareTokenCommand, Result<ShareTokenGenerated>>
{
    public async Task<Result<ShareTokenGenerated>> Handle(GenerateShareTokenCommand request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var account = SumsubAccountResolution.Resolve(accounts, request.Account);
        if (!account.IsSuccess)
        {
            return account.Error;
        }
        var ttl = ShareTokenTtl.Create(request.TtlSeconds);
        // Taken before the call, so the expiry we report is never later than Sumsub's.
        var issuedAt = time.GetUtcNow();
        var issued = await sumsub.GenerateShareTokenAsync(
            account.Value,
            ApplicantId.Create(request.ApplicantId),
            ClientId.Create(request.ForClientId),
            ttl,
            cancellationToken).ConfigureAwait(false);
        return issued.IsSuccess
            ? new ShareTokenGenerated(issued.Value.Token, issued.Value.ForClientId, issuedAt + ttl.Lifetime)
            : issued.Error;
    }
}
