using IdentitySharing.Domain;
using Microsoft.Extensions.Configuration;

namespace IdentitySharing.Infrastructure.Configuration;

/// <summary>
/// Everything the upstream adapters need, read from configuration in one pass. Reading never
/// throws: every problem is collected (with its key name, never a secret value) so that the
/// host can report all of them at startup at once.
/// </summary>
public sealed class UpstreamSettings
{
    private UpstreamSettings(
        IReadOnlyDictionary<string, SumsubAccountSettings> accounts,
        AccountName? defaultAccount,
        BanxaSettings? banxa,
        IReadOnlyList<string> problems)
    {
        Accounts = accounts;
        DefaultAccount = defaultAccount;
        Banxa = banxa;
        Problems = problems;
    }

    /// <summary>The valid accounts by name (case-insensitive, like configuration keys).</summary>
    public IReadOnlyDictionary<string, SumsubAccountSettings> Accounts { get; }

    /// <summary>The account used when a request names none; null when none applies.</summary>
    public AccountName? DefaultAccount { get; }

    /// <summary>Null when Banxa's section is invalid (see <see cref="Problems"/>).</summary>
    public BanxaSettings? Banxa { get; }

    /// <summary>Every configuration problem found, each naming its key. Empty when valid.</summary>
    public IReadOnlyList<string> Problems { get; }

    public bool IsValid => Problems.Count == 0;

    /// <summary>True when no Sumsub account is configured: the host then runs in sandbox mode.</summary>
    public static bool HasNoSumsubAccounts(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !configuration.GetSection(ConfigurationKeys.SumsubAccounts).GetChildren().Any();
    }

    /// <summary>The host's startup check: every problem at once, or an empty list.</summary>
    public static IReadOnlyList<string> Validate(IConfiguration configuration) => Load(configuration).Problems;

    public static UpstreamSettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var accounts = LoadAccounts(configuration, problems);
        var defaultAccount = LoadDefaultAccount(configuration, accounts, problems);
        var banxa = LoadBanxa(configuration, accounts, problems);
        return new UpstreamSettings(accounts, defaultAccount, banxa, problems);
    }

    /// <summary>Throws when invalid; for code paths that need working settings.</summary>
    public UpstreamSettings EnsureValid() => IsValid
        ? this
        : throw new InvalidOperationException("Invalid upstream configuration: " + string.Join("; ", Problems));

    private static Dictionary<string, SumsubAccountSettings> LoadAccounts(IConfiguration configuration, List<string> problems)
    {
        var accounts = new Dictionary<string, SumsubAccountSettings>(StringComparer.OrdinalIgnoreCase);
        foreach (var section in configuration.GetSection(ConfigurationKeys.SumsubAccounts).GetChildren())
        {
            var name = section.Key;
            var nameError = AccountName.Validate(name);
            if (nameError is not null)
            {
                problems.Add($"{ConfigurationKeys.SumsubAccounts}:{name}: invalid account name, it {nameError}");
                continue;
            }
            var appToken = Required(section, ConfigurationKeys.AppToken, problems);
            var secretKey = Required(section, ConfigurationKeys.SecretKey, problems);
            var baseUrl = OptionalUrl(section, ConfigurationKeys.BaseUrl, SumsubAccountSettings.DefaultBaseUrl, problems);
            ClientId? clientId = null;
            var rawClientId = section[ConfigurationKeys.ClientId];
            if (!string.IsNullOrEmpty(rawClientId) && !ClientId.TryCreate(rawClientId, out clientId, out var clientIdError))
            {
                problems.Add($"{section.Path}:{ConfigurationKeys.ClientId}: invalid client id, it {clientIdError}");
            }
            if (appToken is not null && secretKey is not null && baseUrl is not null)
            {
                accounts[name] = new SumsubAccountSettings(AccountName.Create(name), appToken, secretKey, baseUrl, clientId);
            }
        }
        return accounts;
    }

    private static AccountName? LoadDefaultAccount(IConfiguration configuration, Dictionary<string, SumsubAccountSettings> accounts, List<string> problems)
    {
        var raw = configuration[ConfigurationKeys.SumsubDefaultAccount];
        if (string.IsNullOrEmpty(raw))
        {
            return accounts.Count == 1 ? accounts.Values.Single().Name : null;
        }
        if (accounts.TryGetValue(raw, out var account))
        {
            return account.Name;
        }
        problems.Add($"{ConfigurationKeys.SumsubDefaultAccount}: names account '{Printable(raw)}', which is not configured under {ConfigurationKeys.SumsubAccounts}");
        return null;
    }

    private static BanxaSettings? LoadBanxa(IConfiguration configuration, Dictionary<string, SumsubAccountSettings> accounts, List<string> problems)
    {
        var section = configuration.GetSection("Banxa");
        var apiKey = Required(section, "ApiKey", problems);
        var apiSecret = Required(section, "ApiSecret", problems);
        var baseUrl = OptionalUrl(section, "BaseUrl", BanxaSettings.DefaultBaseUrl, problems);

        var clientId = BanxaSettings.DefaultSumsubClientId;
        var rawClientId = configuration[ConfigurationKeys.BanxaSumsubClientId];
        if (!string.IsNullOrEmpty(rawClientId) && !ClientId.TryCreate(rawClientId, out clientId, out var clientIdError))
        {
            problems.Add($"{ConfigurationKeys.BanxaSumsubClientId}: invalid client id, it {clientIdError}");
        }

        AccountName? donor = null;
        var rawDonor = configuration[ConfigurationKeys.BanxaSumsubAccount];
        if (!string.IsNullOrEmpty(rawDonor))
        {
            if (accounts.TryGetValue(rawDonor, out var account))
            {
                donor = account.Name;
            }
            else
            {
                problems.Add($"{ConfigurationKeys.BanxaSumsubAccount}: names account '{Printable(rawDonor)}', which is not configured under {ConfigurationKeys.SumsubAccounts}");
            }
        }

        return apiKey is null || apiSecret is null || baseUrl is null || clientId is null
            ? null
            : new BanxaSettings(baseUrl, apiKey, apiSecret, clientId, donor);
    }

    private static string? Required(IConfigurationSection section, string field, List<string> problems)
    {
        var value = section[field];
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{section.Path}:{field}: is required");
            return null;
        }
        return value;
    }

    private static Uri? OptionalUrl(IConfigurationSection section, string field, Uri fallback, List<string> problems)
    {
        var raw = section[field];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }
        if (Uri.TryCreate(raw, UriKind.Absolute, out var url)
            && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            && string.IsNullOrEmpty(url.Query) && string.IsNullOrEmpty(url.Fragment) && string.IsNullOrEmpty(url.UserInfo))
        {
            return url;
        }
        problems.Add($"{section.Path}:{field}: must be an absolute http or https URL without query, fragment or user info");
        return null;
    }

    // A configured name is not secret, but keep control characters out of startup messages.
    private static string Printable(string raw) =>
        new(raw.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
