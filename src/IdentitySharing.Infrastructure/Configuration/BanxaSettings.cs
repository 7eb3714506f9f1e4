using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;

namespace IdentitySharing.Infrastructure.Configuration;

/// <summary>Banxa's merchant API settings: <c>Banxa:*</c>.</summary>
public sealed record BanxaSettings(
    Uri BaseUrl,
    string ApiKey,
    string ApiSecret,
    ClientId SumsubClientId,
    AccountName? DonorAccount) : IBanxaSettings
{
    public static readonly Uri DefaultBaseUrl = new("https://api.banxa.com");
    public static readonly ClientId DefaultSumsubClientId = ClientId.Create("banxa.com_5335");

    /// <summary>Never prints the key or the secret.</summary>
    public override string ToString() => $"Banxa at {BaseUrl}";
}
