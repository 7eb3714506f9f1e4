using IdentitySharing.Application.Common;
using IdentitySharing.Application.GenerateShareToken;
using IdentitySharing.Application.ImportApplicant;
using IdentitySharing.Application.Ports;
using IdentitySharing.Application.ShareWithBanxa;
using IdentitySharing.Domain;

namespace IdentitySharing.Application.Audit;

/// <summary>A share token for <c>for_client_id</c>, minted from one of our applicants.</summary>
public sealed class GenerateShareTokenDescriber(ISumsubAccounts accounts) : IShareActionDescriber<GenerateShareTokenCommand, ShareTokenGenerated>
{
    public ShareSubject Describe(GenerateShareTokenCommand request, Result<ShareTokenGenerated>? outcome)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(AccountNameOrNull(SumsubAccountResolution.Resolve(accounts, request.Account)), request.ApplicantId, request.ForClientId);
    }

    internal static string? AccountNameOrNull(Result<AccountName> account) => account.IsSuccess ? account.Value.Value : null;
}

/// <summary>An applicant imported into our account: the recipient is us (the client id Sumsub reports for the new applicant).</summary>
public sealed class ImportApplicantDescriber(ISumsubAccounts accounts) : IShareActionDescriber<ImportApplicantCommand, ImportedApplicant>
{
    public ShareSubject Describe(ImportApplicantCommand request, Result<ImportedApplicant>? outcome)
    {
        ArgumentNullException.ThrowIfNull(request);
        var imported = outcome is { IsSuccess: true } success ? success.Value : null;
        return new(
            GenerateShareTokenDescriber.AccountNameOrNull(SumsubAccountResolution.Resolve(accounts, request.Account)),
            imported?.Id,
            imported?.ClientId);
    }
}

/// <summary>An applicant handed to Banxa under Banxa's identity reference (never the email or phone).</summary>
public sealed class ShareWithBanxaDescriber(ISumsubAccounts accounts, IBanxaSettings settings) : IShareActionDescriber<ShareWithBanxaCommand, IdentityReference>
{
    public ShareSubject Describe(ShareWithBanxaCommand request, Result<IdentityReference>? outcome)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(
            GenerateShareTokenDescriber.AccountNameOrNull(DonorAccount.Resolve(accounts, settings, request.Account)),
            request.ApplicantId,
            request.IdentityReference);
    }
}
