using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;

namespace IdentitySharing.Application.Common;

/// <summary>Turns a request's <c>account</c> field into a configured Sumsub account.</summary>
internal static class SumsubAccountResolution
{
    /// <summary>The violation for <c>account</c>, or null when it names a configured account (empty = the default).</summary>
    public static string? Validate(ISumsubAccounts accounts, string? requested)
    {
        if (!string.IsNullOrEmpty(requested) && AccountName.Validate(requested) is { } formatViolation)
        {
            return formatViolation;
        }
        return TryResolve(accounts, requested, out _);
    }

    /// <summary>The configured account <paramref name="requested"/> names; empty means the default account.</summary>
    public static Result<AccountName> Resolve(ISumsubAccounts accounts, string? requested) =>
        TryResolve(accounts, requested, out var account) is { } violation
            ? Error.Validation([new FieldViolation(FieldNames.Account, violation)])
            : account!;

    private static string? TryResolve(ISumsubAccounts accounts, string? requested, out AccountName? account)
    {
        var name = string.IsNullOrEmpty(requested) ? null : requested;
        if (accounts.TryResolve(name, out account, out var error) && account is not null)
        {
            return null;
        }
        account = null;
        return error ?? "is not a configured Sumsub account";
    }
}
