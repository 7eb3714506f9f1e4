using IdentitySharing.Domain;

namespace IdentitySharing.Infrastructure.Configuration;

/// <summary>One configured Sumsub account (client key): <c>Sumsub:Accounts:&lt;name&gt;</c>.</summary>
public sealed record SumsubAccountSettings(
    AccountName Name,
    string AppToken,
    string SecretKey,
    Uri BaseUrl,
    ClientId? ClientId)
{
    public static readonly Uri DefaultBaseUrl = new("https://api.sumsub.com");

    /// <summary>Never prints the token or the secret.</summary>
    public override string ToString() => $"Sumsub account {Name} at {BaseUrl}";
}
