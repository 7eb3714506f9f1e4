using IdentitySharing.Domain;

namespace IdentitySharing.Application.Ports;

/// <summary>The Sumsub accounts this service is configured to act for.</summary>
public interface ISumsubAccounts
{
    /// <summary>
    /// Resolves a request's <c>account</c> field: empty means the default account. Returns
    /// false (with a reason) for an unknown name, or when no default applies.
    /// </summary>
    bool TryResolve(string? requested, out AccountName? account, out string? error);
}

/// <summary>Banxa's side of the configuration that the application needs.</summary>
public interface IBanxaSettings
{
    /// <summary>Banxa's own Sumsub client id: the recipient of the share tokens we mint for Banxa.</summary>
    ClientId SumsubClientId { get; }

    /// <summary>The account that donates to Banxa when a request names none; null = the default account.</summary>
    AccountName? DonorAccount { get; }
}
