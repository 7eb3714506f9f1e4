using System.Text;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Application.Idempotency;
using MediatR;

namespace IdentitySharing.Application.ImportApplicant;

/// <summary>
/// Recipient side ("Copy Applicant"): import an applicant from a partner's share token into
/// our Sumsub account. Carries the request's raw fields; the validator checks them all.
/// </summary>
/// <param name="ShareToken">The partner's single-use share token. Never printed.</param>
/// <param name="ResetIdDocSetTypes">Document set types the applicant must submit again; may be empty.</param>
/// <param name="UserId">Our external user id for the new applicant; empty or null = Sumsub picks one.</param>
/// <param name="LevelName">Level to set; empty or null = keep the donor's.</param>
/// <param name="Account">Empty or null = the default Sumsub account.</param>
/// <param name="RequestId">Idempotency key; empty or null = none.</param>
public sealed record ImportApplicantCommand(
    string ShareToken,
    IReadOnlyList<string> ResetIdDocSetTypes,
    string? UserId,
    string? LevelName,
    string? Account,
    string? RequestId) : IRequest<Result<ImportedApplicant>>, IIdempotentCommand
{
    // Records print every member; the share token is a bearer credential and must never be printed.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("ShareToken = [redacted], ResetIdDocSetTypes = [")
            .AppendJoin(", ", ResetIdDocSetTypes)
            .Append("], UserId = ").Append(UserId)
            .Append(", LevelName = ").Append(LevelName)
            .Append(", Account = ").Append(Account)
            .Append(", RequestId = ").Append(RequestId);
        return true;
    }
}
