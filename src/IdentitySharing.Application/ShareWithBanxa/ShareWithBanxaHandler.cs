using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using MediatR;

namespace IdentitySharing.Application.ShareWithBanxa;

public sealed class ShareWithBanxaHandler(ISumsubClient sumsub, IBanxaClient banxa, ISumsubAccounts accounts, IBanxaSettings settings)
    : IRequestHandler<ShareWithBanxaCommand, Result<IdentityReference>>
{
    public async Task<Result<IdentityReference>> Handle(ShareWithBanxaCommand request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var donor = DonorAccount.Resolve(accounts, settings, request.Account);
        if (!donor.IsSuccess)
        {
            return donor.Error;
        }
        var minted = await sumsub.GenerateShareTokenAsync(
            donor.Value,
            ApplicantId.Create(request.ApplicantId),
            settings.SumsubClientId,
            ShareTokenTtl.Default,
            cancellationToken).ConfigureAwait(false);
        if (!minted.IsSuccess)
        {
            return minted.Error;
        }
        var share = new BanxaIdentityShare(
            IdentityReference.Create(request.IdentityReference),
            EmailAddress.Create(request.Email),
            MobileNumber.Create(request.MobileNumber),
            minted.Value.Token);
        return await banxa.ShareIdentityAsync(share, cancellationToken).ConfigureAwait(false);
    }
}
