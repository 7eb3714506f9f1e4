using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using MediatR;

namespace IdentitySharing.Application.ImportApplicant;

public sealed class ImportApplicantHandler(ISumsubClient sumsub, ISumsubAccounts accounts)
    : IRequestHandler<ImportApplicantCommand, Result<ImportedApplicant>>
{
    public async Task<Result<ImportedApplicant>> Handle(ImportApplicantCommand request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var account = SumsubAccountResolution.Resolve(accounts, request.Account);
        if (!account.IsSuccess)
        {
            return account.Error;
        }
        var import = new ApplicantImport(
            ShareToken.Create(request.ShareToken),
            DocumentSetTypeList.Create(request.ResetIdDocSetTypes),
            string.IsNullOrEmpty(request.UserId) ? null : ExternalUserId.Create(request.UserId),
            string.IsNullOrEmpty(request.LevelName) ? null : LevelName.Create(request.LevelName));
        return await sumsub.ImportApplicantAsync(account.Value, import, cancellationToken).ConfigureAwait(false);
    }
}
