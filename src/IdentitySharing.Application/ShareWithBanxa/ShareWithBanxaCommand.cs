using System.Text;
using IdentitySharing.Application.Common;
using IdentitySharing.Domain;
using IdentitySharing.Application.Idempotency;
using MediatR;

namespace IdentitySharing.Application.ShareWithBanxa;

/// <summary>
/// Hand a customer's Sumsub identity to Banxa: mint a share token for Banxa's Sumsub client id
/// from the donor account, then call Banxa's identity share with it. Carries the request's raw
/// fields; the validator checks them all.
/// </summary>
/// <param name="ApplicantId">The applicant in the donor account.</param>
/// <param name="IdentityReference">Banxa's stable reference for the customer.</param>
/// <param name="Email">The customer's email. Never printed.</param>
/// <param name="MobileNumber">The customer's mobile number (E.164). Never printed.</param>
/// <param name="Account">The donor account; empty or null = <c>Banxa:SumsubAccount</c>, else the default account.</param>
/// <param name="RequestId">Idempotency key; empty or null = none.</param>
public sealed record ShareWithBanxaCommand(
    string ApplicantId,
    string IdentityReference,
    string Email,
    string MobileNumber,
    string? Account,
    string? RequestId) : IRequest<Result<IdentityReference>>, IIdempotentCommand
{
    // Records print every member; email and mobile number are personal data and must never be printed.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("ApplicantId = ").Append(ApplicantId)
            .Append(", IdentityReference = ").Append(IdentityReference)
            .Append(", Email = [redacted], MobileNumber = [redacted], Account = ").Append(Account)
            .Append(", RequestId = ").Append(RequestId);
        return true;
    }
}
