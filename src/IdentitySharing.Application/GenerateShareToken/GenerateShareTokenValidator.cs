using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;

namespace IdentitySharing.Application.GenerateShareToken;

public sealed class GenerateShareTokenValidator(ISumsubAccounts accounts) : IValidator<GenerateShareTokenCommand>
{
    public IReadOnlyList<FieldViolation> Validate(GenerateShareTokenCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new ViolationList()
            .Check(FieldNames.ApplicantId, ApplicantId.Validate(command.ApplicantId))
            .Check(FieldNames.ForClientId, ClientId.Validate(command.ForClientId))
            .Check(FieldNames.TtlSeconds, ShareTokenTtl.Validate(command.TtlSeconds))
            .Check(FieldNames.Account, SumsubAccountResolution.Validate(accounts, command.Account))
            .CheckOptional(FieldNames.RequestId, command.RequestId, RequestId.Validate)
            .Violations;
    }
}
