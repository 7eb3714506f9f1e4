namespace IdentitySharing.Infrastructure.Configuration;

/// <summary>The configuration keys this layer reads (fixed by the architecture brief).</summary>
public static class ConfigurationKeys
{
    public const string SumsubAccounts = "Sumsub:Accounts";
    public const string SumsubDefaultAccount = "Sumsub:DefaultAccount";
    public const string AppToken = "AppToken";
    public const string SecretKey = "SecretKey";
    public const string BaseUrl = "BaseUrl";
    public const string ClientId = "ClientId";
    public const string BanxaBaseUrl = "Banxa:BaseUrl";
    public const string BanxaApiKey = "Banxa:ApiKey";
    public const string BanxaApiSecret = "Banxa:ApiSecret";
    public const string BanxaSumsubClientId = "Banxa:SumsubClientId";
    public const string BanxaSumsubAccount = "Banxa:SumsubAccount";

    public static string SumsubAccount(string name, string field) => $"{SumsubAccounts}:{name}:{field}";
}
