using IdentitySharing.Application.Common;

namespace IdentitySharing.Application.Audit;

/// <summary>What a share action was about, for the ledger.</summary>
public sealed record ShareSubject(string? Account, string? ApplicantId, string? Recipient);

/// <summary>Describes one use case's action for the audit ledger, from the command and, when it finished, its outcome.</summary>
public interface IShareActionDescriber<in TRequest, TValue>
{
    ShareSubject Describe(TRequest request, Result<TValue>? outcome);
}
