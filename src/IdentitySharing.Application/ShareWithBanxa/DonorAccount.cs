using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;

namespace IdentitySharing.Application.ShareWithBanxa;

/// <summary>
/// Which Sumsub account donates to Banxa: the request's <c>account</c> when given, else the
/// configured <c>Banxa:SumsubAccount</c>, else the default account.
/// </summary>
internal static class DonorAccount
{
    public static string? Validate(ISumsubAccounts accounts, IBanxaSettings banxa, string? requested) =>
        string.IsNullOrEmpty(requested) && banxa.DonorAccount is not null
            ? null
            : SumsubAccountResolution.Validate(accounts, requested);

    public static Result<AccountName> Resolve(ISumsubAccounts accounts, IBanxaSettings banxa, string? requested) =>
        string.IsNullOrEmpty(requested) && banxa.DonorAccount is { } configured
            ? configured
            : SumsubAccountResolution.Resolve(accounts, requested);
}
