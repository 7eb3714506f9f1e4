using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;

namespace IdentitySharing.Application.ImportApplicant;

public sealed class ImportApplicantValidator(ISumsubAccounts accounts) : IValidator<ImportApplicantCommand>
{
    public IReadOnlyList<FieldViolation> Validate(ImportApplicantCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new ViolationList()
            .Check(FieldNames.ShareToken, ShareToken.Validate(command.ShareToken))
            .CheckList(FieldNames.ResetIdDocSetTypes, DocumentSetTypeList.Validate(command.ResetIdDocSetTypes))
            .CheckOptional(FieldNames.UserId, command.UserId, ExternalUserId.Validate)
            .CheckOptional(FieldNames.LevelName, command.LevelName, LevelName.Validate)
            .Check(FieldNames.Account, SumsubAccountResolution.Validate(accounts, command.Account))
            .CheckOptional(FieldNames.RequestId, command.RequestId, RequestId.Validate)
            .Violations;
    }
}
