using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;

namespace IdentitySharing.Infrastructure.Configuration;

/// <summary>Resolves a request's <c>account</c> field against the configured Sumsub accounts.</summary>
public sealed class SumsubAccountCatalog(UpstreamSettings settings) : ISumsubAccounts
{
    public bool TryResolve(string? requested, out AccountName? account, out string? error)
    {
        account = null;
        if (string.IsNullOrEmpty(requested))
        {
            account = settings.DefaultAccount;
            error = account is null
                ? "names no account, and no default applies (several accounts are configured and Sumsub:DefaultAccount is not set)"
                : null;
            return account is not null;
        }
        if (settings.Accounts.TryGetValue(requested, out var found))
        {
            account = found.Name;
            error = null;
            return true;
        }
        // Lists nothing configured: the caller learns only that the name is unknown.
        error = "is not a configured Sumsub account";
        return false;
    }

    /// <summary>The settings of an account resolved by <see cref="TryResolve"/>.</summary>
    public SumsubAccountSettings Get(AccountName account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return settings.Accounts.TryGetValue(account.Value, out var found)
            ? found
            : throw new ArgumentException("The account is not configured; resolve it with TryResolve first.", nameof(account));
    }
}
