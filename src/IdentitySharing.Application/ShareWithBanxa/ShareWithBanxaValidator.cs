using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;

namespace IdentitySharing.Application.ShareWithBanxa;

public sealed class ShareWithBanxaValidator(ISumsubAccounts accounts, IBanxaSettings banxa) : IValidator<ShareWithBanxaCommand>
{
    public IReadOnlyList<FieldViolation> Validate(ShareWithBanxaCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new ViolationList()
            .Check(FieldNames.ApplicantId, ApplicantId.Validate(command.ApplicantId))
            .Check(FieldNames.IdentityReference, IdentityReference.Validate(command.IdentityReference))
            .Check(FieldNames.Email, EmailAddress.Validate(command.Email))
            .Check(FieldNames.MobileNumber, MobileNumber.Validate(command.MobileNumber))
            .Check(FieldNames.Account, DonorAccount.Validate(accounts, banxa, command.Account))
            .CheckOptional(FieldNames.RequestId, command.RequestId, RequestId.Validate)
            .Violations;
    }
}
